-- Durable reminders (Orleans ADO.NET reminders, PostgreSQL).
--
-- One row per (service, grain, reminder name). Version is the reminder's ETag: 0 on creation,
-- one more on every upsert; a delete only succeeds with the current version. GrainHash places the
-- reminder on the silo ring; ranges are read as (BeginHash, EndHash], wrapping when Begin >= End.

CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150) NOT NULL,
    GrainId      varchar(300) NOT NULL,
    ReminderName varchar(150) NOT NULL,
    StartTime    timestamptz  NOT NULL,
    Period       bigint       NOT NULL,
    GrainHash    integer      NOT NULL,
    Version      integer      NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS IX_RemindersTable_ServiceId_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey', $q$
    INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES (CAST(@ServiceId AS varchar), CAST(@GrainId AS varchar), CAST(@ReminderName AS varchar),
            CAST(@StartTime AS timestamptz), CAST(@Period AS bigint), CAST(@GrainHash AS integer), 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
        SET StartTime = EXCLUDED.StartTime, Period = EXCLUDED.Period, GrainHash = EXCLUDED.GrainHash,
            Version = r.Version + 1
    RETURNING r.Version AS Version;
$q$),
('ReadReminderRowsKey', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = CAST(@ServiceId AS varchar) AND GrainId = CAST(@GrainId AS varchar);
$q$),
('ReadReminderRowKey', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = CAST(@ServiceId AS varchar) AND GrainId = CAST(@GrainId AS varchar)
      AND ReminderName = CAST(@ReminderName AS varchar);
$q$),
('ReadRangeRows1Key', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = CAST(@ServiceId AS varchar)
      AND GrainHash > CAST(@BeginHash AS integer) AND GrainHash <= CAST(@EndHash AS integer);
$q$),
('ReadRangeRows2Key', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version
    FROM OrleansRemindersTable
    WHERE ServiceId = CAST(@ServiceId AS varchar)
      AND (GrainHash > CAST(@BeginHash AS integer) OR GrainHash <= CAST(@EndHash AS integer));
$q$),
('DeleteReminderRowKey', $q$
    WITH removed AS (
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = CAST(@ServiceId AS varchar) AND GrainId = CAST(@GrainId AS varchar)
          AND ReminderName = CAST(@ReminderName AS varchar) AND Version = CAST(@Version AS integer)
        RETURNING 1)
    SELECT CAST(count(*) AS integer) AS row_count FROM removed;
$q$),
('DeleteReminderRowsKey', $q$
    DELETE FROM OrleansRemindersTable WHERE ServiceId = CAST(@ServiceId AS varchar);
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
