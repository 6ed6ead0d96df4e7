.PHONY: run test lint format worker cron migrations-check

run:           ## Set up and serve the portal with demo data at http://127.0.0.1:8000
	bin/run

test:          ## Install the test tools and run lint and the whole suite (PostgreSQL + Redis)
	bin/test

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports --no-cache

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

worker:        ## An RQ worker (needs REDIS_URL)
	.venv/bin/python manage.py rqworker default --with-scheduler

migrations-check:  ## Fail when a model has changed without a migration
	bin/migrations-check

cron:          ## The one RQ cron process (needs REDIS_URL)
	.venv/bin/python manage.py rqcron portal.cron
