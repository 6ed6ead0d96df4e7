# The portal's image: the web server, the RQ worker and the RQ cron process all run from it.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The libraries and fonts WeasyPrint needs to render PDF documents.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them; the versions are those
# of requirements.lock, the ones the tests ran with.
COPY pyproject.toml README.md requirements.lock ./
RUN pip install -c requirements.lock .

COPY . .
RUN useradd --create-home --uid 1000 portal \
    && mkdir -p var \
    && chown portal var
USER portal

ENV PORTAL_ENV=production
EXPOSE 8000
# A worker stopped by --timeout cuts its response short. Streamed CSV downloads are capped
# (longer ones are written by a job, see core/exports.py) and end well within 120 seconds.
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
