#!/bin/sh
# Run once by the postgres image when it creates the database: the portal's settings
# (deploy/postgresql.conf, mounted beside this script by docker-compose.yml).
echo "include '/etc/postgresql/portal.conf'" >> "$PGDATA/postgresql.conf"
