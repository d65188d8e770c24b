-- Query registry for the Orleans ADO.NET providers (PostgreSQL).
--
-- Orleans runs only the statements it finds in OrleansQuery, looked up by QueryKey. The scripts in
-- this folder create the tables those statements use and register the statements themselves.
-- Every script can be applied any number of times: tables and indexes are created only when missing,
-- functions are replaced, and query rows are inserted or overwritten.
--
-- Apply in order: 01-main.sql, 02-persistence.sql, 03-clustering.sql, 04-reminders.sql.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL,
    QueryText varchar(8000) NOT NULL,
    CONSTRAINT OrleansQuery_Key PRIMARY KEY (QueryKey)
);
