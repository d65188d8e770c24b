-- The project's own tables beside Orleans' tables: per-item data that grows with a campaign.
--
-- Grain state stays small; the items of a campaign (instances, queue entries, answers) are rows here,
-- each written by exactly one grain (its owner is named below) and reached through the same connection
-- string as grain state. Applying this script again leaves existing rows untouched.

-- Written by the campaign grain during imports.
CREATE TABLE IF NOT EXISTS annotation_campaign_counts
(
    campaign_id TEXT   NOT NULL PRIMARY KEY,
    imported    INTEGER NOT NULL DEFAULT 0,
    next_seq    INTEGER NOT NULL DEFAULT 0
);

-- One row per instance: imported in bulk by the campaign grain, then written only by the instance's grain.
-- state is the instance grain's serialized state; version is its ETag.
CREATE TABLE IF NOT EXISTS annotation_instance
(
    campaign_id TEXT     NOT NULL,
    instance_id TEXT     NOT NULL,
    shard       INTEGER  NOT NULL,
    seq         INTEGER   NOT NULL,
    image_path  TEXT     NOT NULL,
    status      INTEGER NOT NULL,
    round       INTEGER  NOT NULL,
    state       BLOB     NOT NULL,
    version     INTEGER   NOT NULL,
    CONSTRAINT annotation_instance_key PRIMARY KEY (campaign_id, instance_id)
);
CREATE INDEX IF NOT EXISTS annotation_instance_by_shard ON annotation_instance (campaign_id, shard, seq);
CREATE INDEX IF NOT EXISTS annotation_instance_by_image ON annotation_instance (campaign_id, image_path, seq);

-- Queue entries of one campaign round shard, written only by that shard's work-queue grain.
-- state: 0 waiting, 1 leased, 2 corrected, 3 accepted, 4 skipped. Waiting entries are served in the order of
-- annotation_queue_order: entries with a front rank first (lowest first), then priority, then arrival.
CREATE TABLE IF NOT EXISTS annotation_queue_entry
(
    campaign_id  TEXT             NOT NULL,
    round        INTEGER          NOT NULL,
    shard        INTEGER          NOT NULL,
    instance_id  TEXT             NOT NULL,
    state        INTEGER         NOT NULL,
    no_front     INTEGER         NOT NULL,
    front_rank   REAL NOT NULL,
    priority     INTEGER          NOT NULL,
    seq          INTEGER           NOT NULL,
    annotator_id TEXT             NULL,
    expires_at   INTEGER           NOT NULL,
    leased_by    TEXT             NOT NULL,
    CONSTRAINT annotation_queue_entry_key PRIMARY KEY (campaign_id, round, shard, instance_id)
);
CREATE INDEX IF NOT EXISTS annotation_queue_order
    ON annotation_queue_entry (campaign_id, round, shard, state, no_front, front_rank, priority, seq, instance_id);

-- The counts of one queue shard, written in the same transaction as its entries.
CREATE TABLE IF NOT EXISTS annotation_queue_counts
(
    campaign_id TEXT    NOT NULL,
    round       INTEGER NOT NULL,
    shard       INTEGER NOT NULL,
    waiting     INTEGER  NOT NULL,
    leased      INTEGER  NOT NULL,
    corrected   INTEGER  NOT NULL,
    accepted    INTEGER  NOT NULL,
    skipped     INTEGER  NOT NULL,
    expired     INTEGER  NOT NULL,
    next_seq    INTEGER  NOT NULL,
    CONSTRAINT annotation_queue_counts_key PRIMARY KEY (campaign_id, round, shard)
);

-- Every recorded answer, written by the annotator's grain with its totals in one transaction.
CREATE TABLE IF NOT EXISTS annotation_answer
(
    campaign_id   TEXT             NOT NULL,
    instance_id   TEXT             NOT NULL,
    submission_id TEXT             NOT NULL,
    annotator_id  TEXT             NOT NULL,
    round         INTEGER          NOT NULL,
    clicks        INTEGER          NOT NULL,
    seconds       REAL NOT NULL,
    skipped       INTEGER         NOT NULL,
    at            INTEGER           NOT NULL,
    CONSTRAINT annotation_answer_key PRIMARY KEY (campaign_id, instance_id, submission_id)
);
CREATE INDEX IF NOT EXISTS annotation_answer_by_annotator ON annotation_answer (annotator_id, at);
CREATE INDEX IF NOT EXISTS annotation_answer_by_campaign ON annotation_answer (campaign_id, at);

CREATE TABLE IF NOT EXISTS annotation_annotator_totals
(
    campaign_id  TEXT             NOT NULL,
    annotator_id TEXT             NOT NULL,
    instances    INTEGER           NOT NULL,
    answers      INTEGER           NOT NULL,
    clicks       INTEGER           NOT NULL,
    seconds      REAL NOT NULL,
    skipped      INTEGER           NOT NULL,
    CONSTRAINT annotation_annotator_totals_key PRIMARY KEY (campaign_id, annotator_id)
);
CREATE INDEX IF NOT EXISTS annotation_annotator_totals_by_annotator ON annotation_annotator_totals (annotator_id);

-- Per instance, the last finished round's quality signals and predicted IoU, written only by the instance's quality
-- index shard. predicted is the campaign's quality model's prediction under model version scored_version.
CREATE TABLE IF NOT EXISTS annotation_quality_entry
(
    campaign_id    TEXT             NOT NULL,
    instance_id    TEXT             NOT NULL,
    shard          INTEGER          NOT NULL,
    round          INTEGER          NOT NULL,
    status         INTEGER         NOT NULL,
    exhausted      INTEGER         NOT NULL,
    finished_at    INTEGER           NOT NULL,
    extra_rounds   INTEGER          NOT NULL,
    training       INTEGER         NOT NULL,
    true_iou       REAL NULL,
    s_clicks       INTEGER          NULL,
    s_round        INTEGER          NULL,
    s_change       REAL NULL,
    s_max_distance REAL NULL,
    s_mean_distance REAL NULL,
    s_model_score  REAL NULL,
    predicted      REAL NULL,
    scored_version INTEGER          NOT NULL,
    CONSTRAINT annotation_quality_entry_key PRIMARY KEY (campaign_id, instance_id)
);
CREATE INDEX IF NOT EXISTS annotation_quality_by_prediction ON annotation_quality_entry (campaign_id, shard, predicted, instance_id);
CREATE INDEX IF NOT EXISTS annotation_quality_by_shard ON annotation_quality_entry (campaign_id, shard, instance_id);
