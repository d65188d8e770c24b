-- Grain state for the "annotation" storage provider (Orleans ADO.NET persistence, PostgreSQL).
--
-- A grain's state is one row, found through two hashes computed by Orleans (grain id, grain type);
-- the clear-text columns settle hash collisions. Version is the ETag: it starts at 1 on the first
-- write and grows by one on every write or clear. A write that does not match the stored version
-- returns the version it was given, which Orleans reports as an InconsistentStateException.

CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL,
    Version                integer      NULL
);

CREATE INDEX IF NOT EXISTS IX_OrleansStorage ON OrleansStorage (GrainIdHash, GrainTypeHash);

-- Returns the new version, or the given version when nothing was written (a conflict), or NULL
-- when a first write lost against another first write of the same grain (also a conflict).
CREATE OR REPLACE FUNCTION annotation_write_grain_state(
    p_grain_id_hash    integer,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_grain_type_hash  integer,
    p_grain_type       varchar,
    p_grain_id_ext     varchar,
    p_service_id       varchar,
    p_expected_version integer,
    p_payload          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    written integer;
BEGIN
    IF p_expected_version IS NULL THEN
        -- First write of this grain: serialise racing first writes so only one row is created.
        PERFORM pg_advisory_xact_lock(p_grain_type_hash, p_grain_id_hash);
        INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
                                    GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
        SELECT p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type,
               p_grain_id_ext, p_service_id, p_payload, now(), 1
        WHERE NOT EXISTS (
            SELECT 1 FROM OrleansStorage s
            WHERE s.GrainIdHash = p_grain_id_hash AND s.GrainTypeHash = p_grain_type_hash
              AND s.GrainIdN0 = p_grain_id_n0 AND s.GrainIdN1 = p_grain_id_n1
              AND s.GrainTypeString = p_grain_type
              AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_ext
              AND s.ServiceId = p_service_id)
        RETURNING Version INTO written;
    ELSE
        UPDATE OrleansStorage s
        SET PayloadBinary = p_payload, ModifiedOn = now(), Version = s.Version + 1
        WHERE s.GrainIdHash = p_grain_id_hash AND s.GrainTypeHash = p_grain_type_hash
          AND s.GrainIdN0 = p_grain_id_n0 AND s.GrainIdN1 = p_grain_id_n1
          AND s.GrainTypeString = p_grain_type
          AND s.GrainIdExtensionString IS NOT DISTINCT FROM p_grain_id_ext
          AND s.ServiceId = p_service_id
          AND s.Version = p_expected_version
        RETURNING s.Version INTO written;
    END IF;
    RETURN COALESCE(written, p_expected_version);
END
$fn$;

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', $q$
    SELECT annotation_write_grain_state(
        CAST(@GrainIdHash AS integer), CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
        CAST(@GrainTypeHash AS integer), CAST(@GrainTypeString AS varchar),
        CAST(@GrainIdExtensionString AS varchar), CAST(@ServiceId AS varchar),
        CAST(@GrainStateVersion AS integer), CAST(@PayloadBinary AS bytea)) AS NewGrainStateVersion;
$q$),
('ReadFromStorageKey', $q$
    SELECT PayloadBinary, Version
    FROM OrleansStorage
    WHERE GrainIdHash = CAST(@GrainIdHash AS integer) AND GrainTypeHash = CAST(@GrainTypeHash AS integer)
      AND GrainIdN0 = CAST(@GrainIdN0 AS bigint) AND GrainIdN1 = CAST(@GrainIdN1 AS bigint)
      AND GrainTypeString = CAST(@GrainTypeString AS varchar)
      AND GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
      AND ServiceId = CAST(@ServiceId AS varchar)
    LIMIT 1;
$q$),
('ClearStorageKey', $q$
    WITH cleared AS (
        UPDATE OrleansStorage
        SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
        WHERE GrainIdHash = CAST(@GrainIdHash AS integer) AND GrainTypeHash = CAST(@GrainTypeHash AS integer)
          AND GrainIdN0 = CAST(@GrainIdN0 AS bigint) AND GrainIdN1 = CAST(@GrainIdN1 AS bigint)
          AND GrainTypeString = CAST(@GrainTypeString AS varchar)
          AND GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
          AND ServiceId = CAST(@ServiceId AS varchar)
          AND Version = CAST(@GrainStateVersion AS integer)
        RETURNING Version)
    SELECT Version AS NewGrainStateVersion FROM cleared
    UNION ALL
    SELECT CAST(@GrainStateVersion AS integer)
    WHERE CAST(@GrainStateVersion AS integer) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cleared);
$q$),
('DeleteStorageKey', $q$
    WITH deleted AS (
        DELETE FROM OrleansStorage
        WHERE GrainIdHash = CAST(@GrainIdHash AS integer) AND GrainTypeHash = CAST(@GrainTypeHash AS integer)
          AND GrainIdN0 = CAST(@GrainIdN0 AS bigint) AND GrainIdN1 = CAST(@GrainIdN1 AS bigint)
          AND GrainTypeString = CAST(@GrainTypeString AS varchar)
          AND GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
          AND ServiceId = CAST(@ServiceId AS varchar)
          AND Version = CAST(@GrainStateVersion AS integer)
        RETURNING Version)
    SELECT Version + 1 AS NewGrainStateVersion FROM deleted
    UNION ALL
    SELECT CAST(@GrainStateVersion AS integer)
    WHERE CAST(@GrainStateVersion AS integer) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM deleted);
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
