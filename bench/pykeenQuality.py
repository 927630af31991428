"""PyKEEN's TransE quality at the settings of a kgrec preset, trained for the same time, for bench/kge.ts --quality.

Trains PyKEEN's TransE (entities rescaled to unit length, as the presets' norm constraint) on DIR/train.txt
with the given dimension, distance, self-adversarial loss, negatives, corruption, Adam rate and batch,
epoch after epoch until the next epoch would pass --minutes of training, then ranks DIR/test.txt filtered
against train, valid and test. PyKEEN drops test triples whose entities never occur in training; the
figures "counting all" give those rank ≈ last (reciprocal rank ≈ 0), as kgrec's evaluation does with
their untrained vectors. Prints one JSON line last.

    python bench/pykeenQuality.py --data ../shared/data/wn18rr --minutes 15 --dimension 200 --distance L1 \
        --margin 6 --temperature 0.5 --negatives 64 --corruption uniform --learning-rate 0.001 --batch-size 512
"""
import argparse
import json
import os
import resource
import time

import pykeen
import torch
from pykeen.evaluation import RankBasedEvaluator
from pykeen.losses import NSSALoss
from pykeen.models import TransE
from pykeen.sampling import BasicNegativeSampler
from pykeen.training import SLCWATrainingLoop
from pykeen.triples import TriplesFactory

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--minutes", type=float, required=True)
parser.add_argument("--dimension", type=int, default=200)
parser.add_argument("--distance", choices=["L1", "L2"], default="L1")
parser.add_argument("--margin", type=float, default=9.0)
parser.add_argument("--temperature", type=float, default=1.0)
parser.add_argument("--negatives", type=int, default=64)
parser.add_argument("--corruption", choices=["uniform", "bernoulli"], default="uniform")
parser.add_argument("--learning-rate", type=float, default=1e-3)
parser.add_argument("--batch-size", type=int, default=1024)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)

train = TriplesFactory.from_path(os.path.join(args.data, "train.txt"))
valid = TriplesFactory.from_path(os.path.join(args.data, "valid.txt"), entity_to_id=train.entity_to_id, relation_to_id=train.relation_to_id)
test = TriplesFactory.from_path(os.path.join(args.data, "test.txt"), entity_to_id=train.entity_to_id, relation_to_id=train.relation_to_id)
with open(os.path.join(args.data, "test.txt"), encoding="utf8") as handle:
    all_test = sum(1 for line in handle if line.strip())

model = TransE(
    triples_factory=train,
    embedding_dim=args.dimension,
    scoring_fct_norm=1 if args.distance == "L1" else 2,
    loss=NSSALoss(margin=args.margin, adversarial_temperature=args.temperature),
    random_seed=args.seed,
)
loop = SLCWATrainingLoop(
    model=model,
    triples_factory=train,
    optimizer=torch.optim.Adam(model.parameters(), lr=args.learning_rate),
    negative_sampler="bernoulli" if args.corruption == "bernoulli" else BasicNegativeSampler,
    negative_sampler_kwargs={"num_negs_per_pos": args.negatives},
)

budget = args.minutes * 60
seconds = 0.0
epochs = 0
last = 0.0
while epochs == 0 or seconds + last <= budget:
    started = time.perf_counter()
    # PyKEEN trains *up to* num_epochs: each call asks for one more epoch than the last, and must say that it
    # continues (else PyKEEN resets the weights first).
    loop.train(triples_factory=train, num_epochs=epochs + 1, batch_size=args.batch_size, use_tqdm=False, continue_training=epochs > 0)
    last = time.perf_counter() - started
    seconds += last
    epochs += 1
    print(f"epoch {epochs}: {last:.1f} s, {seconds / 60:.1f} min of training", flush=True)

started = time.perf_counter()
evaluator = RankBasedEvaluator(filtered=True)
metrics = evaluator.evaluate(
    model, test.mapped_triples, additional_filter_triples=[train.mapped_triples, valid.mapped_triples], batch_size=256, use_tqdm=False
)
eval_seconds = time.perf_counter() - started
known = test.num_triples
mrr = metrics.get_metric("both.realistic.inverse_harmonic_mean_rank")
hits10 = metrics.get_metric("both.realistic.hits_at_10")
print(
    json.dumps(
        {
            "pykeen": pykeen.get_version(),
            "epochs": epochs,
            "seconds": round(seconds, 1),
            "evalSeconds": round(eval_seconds, 1),
            "triplesPerSecond": round(epochs * train.num_triples / seconds),
            "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "testKnown": {"mrr": mrr, "hits@10": hits10, "count": known},
            "testAll": {"mrr": mrr * known / all_test, "hits@10": hits10 * known / all_test, "count": all_test},
        }
    )
)
