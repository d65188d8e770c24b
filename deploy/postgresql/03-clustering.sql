-- Cluster membership (Orleans ADO.NET clustering, PostgreSQL).
--
-- One version row per cluster (DeploymentId = the Orleans ClusterId) and one row per silo
-- incarnation (address, port, generation). Every change to the membership rows must bump the
-- cluster's version in the same transaction, and only when the caller saw the current version;
-- otherwise nothing changes and the statement answers 0.
-- Silo status numbers are Orleans' SiloStatus values (3 = Active, 6 = Dead).

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)  NOT NULL,
    Address      varchar(45)   NOT NULL,
    Port         integer       NOT NULL,
    Generation   integer       NOT NULL,
    SiloName     varchar(150)  NOT NULL,
    HostName     varchar(150)  NOT NULL,
    Status       integer       NOT NULL,
    ProxyPort    integer       NULL,
    SuspectTimes varchar(8000) NULL,
    StartTime    timestamptz   NOT NULL,
    IAmAliveTime timestamptz   NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Optimistic concurrency of the membership table: the version row moves on only from the version
-- the silo last saw. Shared by the insert and update functions below.
CREATE OR REPLACE FUNCTION annotation_membership_bump_version(p_cluster varchar, p_seen_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
DECLARE
    changed integer;
BEGIN
    UPDATE OrleansMembershipVersionTable
    SET Timestamp = now(), Version = Version + 1
    WHERE DeploymentId = p_cluster AND Version = p_seen_version AND Version < 2147483647;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed > 0;
END;
$fn$;

-- Adds a silo row and bumps the version, both or neither. Answers 1 on success, 0 otherwise.
CREATE OR REPLACE FUNCTION annotation_membership_insert(
    p_cluster       varchar,
    p_address       varchar,
    p_port          integer,
    p_generation    integer,
    p_silo_name     varchar,
    p_host_name     varchar,
    p_status        integer,
    p_proxy_port    integer,
    p_start_time    timestamptz,
    p_i_am_alive    timestamptz,
    p_seen_version  integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    changed integer;
BEGIN
    IF NOT annotation_membership_bump_version(p_cluster, p_seen_version) THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName,
                                        Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES (p_cluster, p_address, p_port, p_generation, p_silo_name, p_host_name,
            p_status, p_proxy_port, p_start_time, p_i_am_alive)
    ON CONFLICT (DeploymentId, Address, Port, Generation) DO NOTHING;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        -- The row already exists: undo the version bump by failing this function's transaction.
        RAISE EXCEPTION 'membership row exists' USING ERRCODE = 'unique_violation';
    END IF;
    RETURN 1;
EXCEPTION
    WHEN unique_violation THEN
        RETURN 0;
END
$fn$;

-- Updates a silo row and bumps the version, both or neither. Answers 1 on success, 0 otherwise.
CREATE OR REPLACE FUNCTION annotation_membership_update(
    p_cluster       varchar,
    p_address       varchar,
    p_port          integer,
    p_generation    integer,
    p_status        integer,
    p_suspect_times varchar,
    p_i_am_alive    timestamptz,
    p_seen_version  integer)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    changed integer;
BEGIN
    IF NOT annotation_membership_bump_version(p_cluster, p_seen_version) THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable
    SET Status = p_status, SuspectTimes = p_suspect_times, IAmAliveTime = GREATEST(IAmAliveTime, p_i_am_alive)
    WHERE DeploymentId = p_cluster AND Address = p_address AND Port = p_port AND Generation = p_generation;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        RAISE EXCEPTION 'membership row missing' USING ERRCODE = 'no_data_found';
    END IF;
    RETURN 1;
EXCEPTION
    WHEN no_data_found THEN
        RETURN 0;
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $q$
    WITH added AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId)
        VALUES (CAST(@DeploymentId AS varchar))
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1)
    SELECT CAST(count(*) AS integer) AS row_count FROM added;
$q$),
('InsertMembershipKey', $q$
    SELECT annotation_membership_insert(
        CAST(@DeploymentId AS varchar), CAST(@Address AS varchar), CAST(@Port AS integer),
        CAST(@Generation AS integer), CAST(@SiloName AS varchar), CAST(@HostName AS varchar),
        CAST(@Status AS integer), CAST(@ProxyPort AS integer), CAST(@StartTime AS timestamptz),
        CAST(@IAmAliveTime AS timestamptz), CAST(@Version AS integer)) AS row_count;
$q$),
('UpdateMembershipKey', $q$
    SELECT annotation_membership_update(
        CAST(@DeploymentId AS varchar), CAST(@Address AS varchar), CAST(@Port AS integer),
        CAST(@Generation AS integer), CAST(@Status AS integer), CAST(@SuspectTimes AS varchar),
        CAST(@IAmAliveTime AS timestamptz), CAST(@Version AS integer)) AS row_count;
$q$),
('UpdateIAmAlivetimeKey', $q$
    UPDATE OrleansMembershipTable
    SET IAmAliveTime = GREATEST(IAmAliveTime, CAST(@IAmAliveTime AS timestamptz))
    WHERE DeploymentId = CAST(@DeploymentId AS varchar) AND Address = CAST(@Address AS varchar)
      AND Port = CAST(@Port AS integer) AND Generation = CAST(@Generation AS integer);
$q$),
('MembershipReadRowKey', $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
           m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m
        ON m.DeploymentId = v.DeploymentId
       AND m.Address = CAST(@Address AS varchar) AND m.Port = CAST(@Port AS integer)
       AND m.Generation = CAST(@Generation AS integer)
    WHERE v.DeploymentId = CAST(@DeploymentId AS varchar);
$q$),
('MembershipReadAllKey', $q$
    SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status,
           m.ProxyPort, m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = CAST(@DeploymentId AS varchar);
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM OrleansMembershipTable WHERE DeploymentId = CAST(@DeploymentId AS varchar);
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = CAST(@DeploymentId AS varchar);
$q$),
('GatewaysQueryKey', $q$
    SELECT Address, ProxyPort, Generation
    FROM OrleansMembershipTable
    WHERE DeploymentId = CAST(@DeploymentId AS varchar) AND Status = CAST(@Status AS integer) AND ProxyPort > 0;
$q$),
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = CAST(@DeploymentId AS varchar)
      AND IAmAliveTime < CAST(@IAmAliveTime AS timestamptz)
      AND StartTime < CAST(@IAmAliveTime AS timestamptz)
      AND COALESCE(SuspectTimes, '') = ''
      AND Status = 6;
$q$),
('CleanupDefunctSiloEntryKey', $q$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = CAST(@DeploymentId AS varchar) AND Status = 6
      AND Address = CAST(@Address AS varchar) AND Port = CAST(@Port AS integer)
      AND Generation = CAST(@Generation AS integer)
      AND IAmAliveTime = CAST(@IAmAliveTime AS timestamptz)
      AND StartTime = CAST(@StartTime AS timestamptz)
      AND COALESCE(SuspectTimes, '') = COALESCE(CAST(@SuspectTimes AS varchar), '');
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
