-- The project's own tables beside Orleans' tables: per-item data that grows with a campaign.
--
-- Grain state stays small; the items of a campaign (instances, queue entries, answers) are rows here,
-- each written by exactly one grain (its owner is named below) and reached through the same connection
-- string as grain state. Applying this script again leaves existing rows untouched.
--
-- The embedded SQLite file gets this same script with SQLite's type names (Hosting/SchemaInstaller.cs ToSqlite): keep
-- to statements both databases understand (no DO blocks, no CONCURRENTLY, no ALTER ... IF NOT EXISTS).

-- Written by the campaign grain during imports.
CREATE TABLE IF NOT EXISTS annotation_campaign_counts
(
    campaign_id text   NOT NULL PRIMARY KEY,
    imported    bigint NOT NULL DEFAULT 0,
    next_seq    bigint NOT NULL DEFAULT 0
);

-- One row per instance: imported in bulk by the campaign grain, then written only by the instance's grain.
-- state is the instance grain's serialized state; version is its ETag.
CREATE TABLE IF NOT EXISTS annotation_instance
(
    campaign_id text     NOT NULL,
    instance_id text     NOT NULL,
    shard       integer  NOT NULL,
    seq         bigint   NOT NULL,
    image_path  text     NOT NULL,
    status      smallint NOT NULL,
    round       integer  NOT NULL,
    state       bytea    NOT NULL,
    version     bigint   NOT NULL,
    CONSTRAINT annotation_instance_key PRIMARY KEY (campaign_id, instance_id)
);
CREATE INDEX IF NOT EXISTS annotation_instance_by_shard ON annotation_instance (campaign_id, shard, seq);
CREATE INDEX IF NOT EXISTS annotation_instance_by_image ON annotation_instance (campaign_id, image_path, seq);

-- Queue entries of one campaign round shard, written only by that shard's work-queue grain.
-- state: 0 waiting, 1 leased, 2 corrected, 3 accepted, 4 skipped. Waiting entries are served in the order of
-- annotation_queue_order: entries with a front rank first (lowest first), then priority, then arrival.
CREATE TABLE IF NOT EXISTS annotation_queue_entry
(
    campaign_id  text             NOT NULL,
    round        integer          NOT NULL,
    shard        integer          NOT NULL,
    instance_id  text             NOT NULL,
    state        smallint         NOT NULL,
    no_front     smallint         NOT NULL,
    front_rank   double precision NOT NULL,
    priority     integer          NOT NULL,
    seq          bigint           NOT NULL,
    annotator_id text             NULL,
    expires_at   bigint           NOT NULL,
    leased_by    text             NOT NULL,
    CONSTRAINT annotation_queue_entry_key PRIMARY KEY (campaign_id, round, shard, instance_id)
);
CREATE INDEX IF NOT EXISTS annotation_queue_order
    ON annotation_queue_entry (campaign_id, round, shard, state, no_front, front_rank, priority, seq, instance_id);

-- The counts of one queue shard, written in the same transaction as its entries.
CREATE TABLE IF NOT EXISTS annotation_queue_counts
(
    campaign_id text    NOT NULL,
    round       integer NOT NULL,
    shard       integer NOT NULL,
    waiting     bigint  NOT NULL,
    leased      bigint  NOT NULL,
    corrected   bigint  NOT NULL,
    accepted    bigint  NOT NULL,
    skipped     bigint  NOT NULL,
    expired     bigint  NOT NULL,
    next_seq    bigint  NOT NULL,
    CONSTRAINT annotation_queue_counts_key PRIMARY KEY (campaign_id, round, shard)
);

-- Every recorded answer, written by the annotator's grain with its totals in one transaction.
CREATE TABLE IF NOT EXISTS annotation_answer
(
    campaign_id   text             NOT NULL,
    instance_id   text             NOT NULL,
    submission_id text             NOT NULL,
    annotator_id  text             NOT NULL,
    round         integer          NOT NULL,
    clicks        integer          NOT NULL,
    seconds       double precision NOT NULL,
    skipped       smallint         NOT NULL,
    at            bigint           NOT NULL,
    CONSTRAINT annotation_answer_key PRIMARY KEY (campaign_id, instance_id, submission_id)
);
CREATE INDEX IF NOT EXISTS annotation_answer_by_annotator ON annotation_answer (annotator_id, at);
DROP INDEX IF EXISTS annotation_answer_by_campaign; -- the dashboard reads the answer counters instead

CREATE TABLE IF NOT EXISTS annotation_annotator_totals
(
    campaign_id  text             NOT NULL,
    annotator_id text             NOT NULL,
    instances    bigint           NOT NULL,
    answers      bigint           NOT NULL,
    clicks       bigint           NOT NULL,
    seconds      double precision NOT NULL,
    skipped      bigint           NOT NULL,
    CONSTRAINT annotation_annotator_totals_key PRIMARY KEY (campaign_id, annotator_id)
);
CREATE INDEX IF NOT EXISTS annotation_annotator_totals_by_annotator ON annotation_annotator_totals (annotator_id);

-- Per campaign and annotator, from answers on instances with a reference mask (Segmentation.Quality.AnswerJudgement):
-- the clicks that could be judged and those with the wrong polarity for the reference; the first clicks of rounds that
-- could be judged and those that corrected a true error of the mask shown; the 0-click answers and those that accepted
-- a mask that was not good. Added to in the transaction that records the answer.
CREATE TABLE IF NOT EXISTS annotation_annotator_quality
(
    campaign_id             text   NOT NULL,
    annotator_id            text   NOT NULL,
    judged_clicks           bigint NOT NULL,
    wrong_polarity_clicks   bigint NOT NULL,
    first_clicks_judged     bigint NOT NULL,
    first_clicks_correcting bigint NOT NULL,
    accepted_with_reference bigint NOT NULL,
    accepted_bad            bigint NOT NULL,
    gain_rounds             bigint           NOT NULL DEFAULT 0,
    gain_sum                double precision NOT NULL DEFAULT 0,
    gain_clicks             bigint           NOT NULL DEFAULT 0,
    CONSTRAINT annotation_annotator_quality_key PRIMARY KEY (campaign_id, annotator_id)
);

-- The IoU with the reference that each corrective round added (gain_* above is their sum per annotator), one row per
-- instance and round, so that a mask recorded twice adds its gain once.
CREATE TABLE IF NOT EXISTS annotation_round_gain
(
    campaign_id  text             NOT NULL,
    instance_id  text             NOT NULL,
    round        integer          NOT NULL,
    annotator_id text             NOT NULL,
    gain         double precision NOT NULL,
    clicks       integer          NOT NULL,
    CONSTRAINT annotation_round_gain_key PRIMARY KEY (campaign_id, instance_id, round)
);

-- On any instance, the IoU gain of a corrective round as M_r predicts it (its predicted IoU after the round minus
-- after the round before), one row per instance and round: the estimate of an annotator's gain from work without a
-- reference. Written by the instance grain once the round's mask is scored.
CREATE TABLE IF NOT EXISTS annotation_predicted_gain
(
    campaign_id  text             NOT NULL,
    instance_id  text             NOT NULL,
    round        integer          NOT NULL,
    annotator_id text             NOT NULL,
    gain         double precision NOT NULL,
    clicks       integer          NOT NULL,
    CONSTRAINT annotation_predicted_gain_key PRIMARY KEY (campaign_id, instance_id, round)
);
CREATE INDEX IF NOT EXISTS annotation_predicted_gain_by_annotator ON annotation_predicted_gain (campaign_id, annotator_id);

-- Gold instances: those with a painted reference mask, served to annotators mixed into their work. Written by the
-- instance grain when its reference arrives; annotators walk it in (added_at, instance_id) order.
CREATE TABLE IF NOT EXISTS annotation_gold
(
    campaign_id text   NOT NULL,
    instance_id text   NOT NULL,
    added_at    bigint NOT NULL,
    CONSTRAINT annotation_gold_key PRIMARY KEY (campaign_id, instance_id)
);
CREATE INDEX IF NOT EXISTS annotation_gold_order ON annotation_gold (campaign_id, added_at, instance_id);

-- Answers to gold tasks, written by the annotator grain: scored against the reference, never part of the instance's
-- rounds. gain is the IoU with the reference that the clicks' mask added (null for an accept, a skip, or no model).
CREATE TABLE IF NOT EXISTS annotation_gold_answer
(
    campaign_id   text             NOT NULL,
    submission_id text             NOT NULL,
    instance_id   text             NOT NULL,
    annotator_id  text             NOT NULL,
    clicks        integer          NOT NULL,
    seconds       double precision NOT NULL,
    skipped       integer          NOT NULL,
    gain          double precision NULL,
    at            bigint           NOT NULL,
    CONSTRAINT annotation_gold_answer_key PRIMARY KEY (campaign_id, submission_id)
);
CREATE INDEX IF NOT EXISTS annotation_gold_answer_by_annotator ON annotation_gold_answer (campaign_id, annotator_id);

-- Per instance with a reference mask, each round's mask scored against it (IoU, boundary F at 5 px), for the quality
-- report. Written by the instance grain when a mask or the reference arrives.
CREATE TABLE IF NOT EXISTS annotation_reference_score
(
    campaign_id text             NOT NULL,
    instance_id text             NOT NULL,
    round       integer          NOT NULL,
    class_name  text             NOT NULL,
    iou         double precision NOT NULL,
    boundary_f  double precision NOT NULL,
    CONSTRAINT annotation_reference_score_key PRIMARY KEY (campaign_id, instance_id, round)
);

-- Per instance painted twice, the two paintings against each other: the human agreement.
CREATE TABLE IF NOT EXISTS annotation_painting_agreement
(
    campaign_id text             NOT NULL,
    instance_id text             NOT NULL,
    class_name  text             NOT NULL,
    iou         double precision NOT NULL,
    boundary_f  double precision NOT NULL,
    CONSTRAINT annotation_painting_agreement_key PRIMARY KEY (campaign_id, instance_id)
);

-- The campaign's answers counted by key (Segmentation.Campaigns.AnswerCounterKind: totals, round and clicks, seconds
-- histogram, minute, hour, day), added to in the transaction that records an answer. Annotator grains of one campaign
-- share these rows: each adds to them in key order, so concurrent answers wait on each other but never deadlock.
-- The dashboard's figures read these rows, never the answers.
CREATE TABLE IF NOT EXISTS annotation_answer_counter
(
    campaign_id text             NOT NULL,
    kind        smallint         NOT NULL,
    k1          bigint           NOT NULL,
    k2          bigint           NOT NULL,
    answers     bigint           NOT NULL,
    finished    bigint           NOT NULL,
    seconds     double precision NOT NULL,
    first_at    bigint           NOT NULL,
    last_at     bigint           NOT NULL,
    CONSTRAINT annotation_answer_counter_key PRIMARY KEY (campaign_id, kind, k1, k2)
);

-- Per instance, the last finished round's quality signals and predicted IoU, written only by the instance's quality
-- index shard. predicted is the campaign's quality model's prediction under model version scored_version.
CREATE TABLE IF NOT EXISTS annotation_quality_entry
(
    campaign_id    text             NOT NULL,
    instance_id    text             NOT NULL,
    shard          integer          NOT NULL,
    round          integer          NOT NULL,
    status         smallint         NOT NULL,
    exhausted      smallint         NOT NULL,
    finished_at    bigint           NOT NULL,
    extra_rounds   integer          NOT NULL,
    training       smallint         NOT NULL,
    true_iou       double precision NULL,
    s_clicks       integer          NULL,
    s_round        integer          NULL,
    s_change       double precision NULL,
    s_max_distance double precision NULL,
    s_mean_distance double precision NULL,
    s_model_score  double precision NULL,
    predicted      double precision NULL,
    scored_version integer          NOT NULL,
    CONSTRAINT annotation_quality_entry_key PRIMARY KEY (campaign_id, instance_id)
);
CREATE INDEX IF NOT EXISTS annotation_quality_by_prediction ON annotation_quality_entry (campaign_id, shard, predicted, instance_id);
CREATE INDEX IF NOT EXISTS annotation_quality_by_shard ON annotation_quality_entry (campaign_id, shard, instance_id);

-- How many of a shard's quality entries are ranked (predicted, not skipped), kept by the shard's grain with its entries.
-- A shard without a row is counted once from its entries, when its ranking is first asked for.
CREATE TABLE IF NOT EXISTS annotation_quality_counts
(
    campaign_id text    NOT NULL,
    shard       integer NOT NULL,
    ranked      bigint  NOT NULL,
    CONSTRAINT annotation_quality_counts_key PRIMARY KEY (campaign_id, shard)
);
