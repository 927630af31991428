"""PyKEEN's TransE training speed at the settings of bench/kgeSpeed.ts, for a side-by-side comparison.

Trains on a fixed sample of FB15k-237's training triples (dimension 200, batch 1,024, Adam 1e-3, PyKEEN's
default entity rescaling), times whole epochs after a warm-up epoch, and prints one JSON line:
{"(a) 64 negatives, self-adversarial, Adam": positives/s, "(b) 1 negative, margin, Adam": positives/s,
 "peakRssMiB": ..., "threads": ..., "pykeen": version}.

    python bench/pykeenSpeed.py --train ../shared/data/fb15k-237/train.txt [--threads 2] [--epochs 3]
"""
import argparse
import json
import resource
import statistics
import time

import pykeen
import torch
from pykeen.losses import MarginRankingLoss, NSSALoss
from pykeen.models import TransE
from pykeen.sampling import BasicNegativeSampler
from pykeen.training import SLCWATrainingLoop
from pykeen.triples import TriplesFactory

parser = argparse.ArgumentParser()
parser.add_argument("--train", required=True)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--epochs", type=int, default=3)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(42)

full = TriplesFactory.from_path(args.train)
BATCH = 1024
SETTINGS = [
    ("(a) 64 negatives, self-adversarial, Adam", NSSALoss(margin=9.0, adversarial_temperature=1.0), 64, 20),
    ("(b) 1 negative, margin, Adam", MarginRankingLoss(margin=1.0), 1, 100),
]

results = {}
for label, loss, negatives, batches in SETTINGS:
    order = torch.randperm(full.num_triples, generator=torch.Generator().manual_seed(2))[: batches * BATCH]
    sample = TriplesFactory(
        mapped_triples=full.mapped_triples[order],
        entity_to_id=full.entity_to_id,
        relation_to_id=full.relation_to_id,
    )
    model = TransE(triples_factory=sample, embedding_dim=200, scoring_fct_norm=1, loss=loss, random_seed=42)
    loop = SLCWATrainingLoop(
        model=model,
        triples_factory=sample,
        optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
        negative_sampler=BasicNegativeSampler,
        negative_sampler_kwargs={"num_negs_per_pos": negatives},
    )
    rates = []
    for epoch in range(args.epochs + 1):
        started = time.perf_counter()
        # PyKEEN trains *up to* num_epochs: each call must ask for one more epoch than the last, and say that
        # it continues (else PyKEEN first resets the weights, a cost that is not training).
        loop.train(triples_factory=sample, num_epochs=epoch + 1, batch_size=BATCH, use_tqdm=False, continue_training=epoch > 0)
        if epoch > 0:  # the first epoch includes warm-up
            rates.append(sample.num_triples / (time.perf_counter() - started))
    results[label] = round(statistics.median(rates))

results["peakRssMiB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
results["threads"] = args.threads
results["pykeen"] = pykeen.get_version()
print(json.dumps(results))
