#!/bin/sh
# Runs once, on the first start of an empty data volume (docker-entrypoint-initdb.d):
# creates the application role and database. The role is not a superuser.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v app_user="$DHARMA_DB_USER" -v app_password="$DHARMA_DB_PASSWORD" -v app_db="$DHARMA_DB_NAME" <<'SQL'
SET password_encryption = 'scram-sha-256';
CREATE ROLE :"app_user" LOGIN CREATEDB PASSWORD :'app_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
SQL
