-- Run once by the postgres image on an empty data folder: one database per service, owned by the
-- services' role (the registry's is POSTGRES_DB).
CREATE DATABASE batch OWNER ocop;
CREATE DATABASE stamp OWNER ocop;
