#!/usr/bin/env bash
# Writes a synthetic OpenImages box CSV (ImageID, LabelName, XMin, XMax, YMin, YMax, BoxID) of ROWS rows spread
# over a few real images, for scale tests and benchmarks of the import, the queues and the export.
#
#   scripts/synthetic-openimages-boxes.sh ROWS OUT.csv [IMAGE_ID ...]
#
# Image ids name files directly under the campaign's image root (000 -> 000.jpg); by default the first eight
# DAVIS images (000..007). Boxes are random but repeatable (fixed seed), between 5% and 60% of each side.
set -euo pipefail
rows=${1:?usage: synthetic-openimages-boxes.sh ROWS OUT.csv [IMAGE_ID ...]}
out=${2:?usage: synthetic-openimages-boxes.sh ROWS OUT.csv [IMAGE_ID ...]}
shift 2
ids=${*:-000 001 002 003 004 005 006 007}
[[ "$rows" =~ ^[0-9]+$ ]] || { echo "ROWS must be a whole number, got '$rows'" >&2; exit 2; }

awk -v n="$rows" -v ids="$ids" 'BEGIN {
    srand(20261201)
    k = split(ids, image, " ")
    split("person car dog cat bird horse boat chair bottle tree", label, " ")
    print "ImageID,LabelName,XMin,XMax,YMin,YMax,BoxID"
    for (i = 0; i < n; i++) {
        w = 0.05 + rand() * 0.55; h = 0.05 + rand() * 0.55
        x = rand() * (1 - w); y = rand() * (1 - h)
        printf "%s,%s,%.5f,%.5f,%.5f,%.5f,b%08d\n", image[i % k + 1], label[int(rand() * 10) + 1], x, x + w, y, y + h, i
    }
}' > "$out"
echo "wrote $rows rows to $out" >&2
