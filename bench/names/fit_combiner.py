#!/usr/bin/env python3
"""Fits a learned combination of the names engine's score parts, to compare with the hand-set
formula (crates/names/README.md, "Left out / next").

Writes nothing; prints ROC-AUC, recall at precision 0.99 / 0.95 and best F1 of the engine's own
score and of a logistic and a gradient-boosted model, each fitted on TRAIN's feature file and
scored on TEST's (pass the same file twice to fit on its training part and score its holdout).

    cargo run --release -p airbridge-names --example eval -- --pairs P.csv --labels L.csv --features F.csv
    ~/.cache/airbridge-bench-venv/bin/python bench/names/fit_combiner.py TRAIN.csv TEST.csv

Needs numpy, pandas and scikit-learn (the bench kit's venv has them).
"""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve, roc_auc_score


def recall_at(labels, scores, precision):
    p, r, _ = precision_recall_curve(labels, scores)
    ok = p >= precision
    return r[ok].max() if ok.any() else 0.0


def best_f1(labels, scores):
    p, r, _ = precision_recall_curve(labels, scores)
    return (2 * p * r / np.maximum(p + r, 1e-9)).max()


def report(name, labels, scores):
    print(
        f"  {name:10s} auc={roc_auc_score(labels, scores):.4f} "
        f"r@p99={recall_at(labels, scores, 0.99):.4f} r@p95={recall_at(labels, scores, 0.95):.4f} "
        f"f1={best_f1(labels, scores):.4f}"
    )


def features(frame):
    x = frame.drop(columns=["id", "label", "holdout"]).copy()
    x["lost_share"] = x.loss / (x.agreement + 1e-3)
    x["left_share"] = x.left_min / (x.agreement + x.left_min + 1e-3)
    x["cover_a"] = x.agreement / (x.weight_a + 1e-3)
    x["cover_b"] = x.agreement / (x.weight_b + 1e-3)
    return x


def main():
    train_path, test_path = sys.argv[1], sys.argv[2]
    train, test = pd.read_csv(train_path), pd.read_csv(test_path)
    if train_path == test_path:
        train, test = train[train.holdout == 0], test[test.holdout == 1]
    x_train, y_train = features(train), train.label
    mean, spread = x_train.mean(), x_train.std().replace(0, 1)
    logistic = LogisticRegression(max_iter=3000).fit((x_train - mean) / spread, y_train)
    boosted = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
        l2_regularization=1.0,
    ).fit(x_train, y_train)
    x_test, y_test = features(test), test.label
    print(f"fitted on {train_path} ({len(train)} pairs), scored on {test_path} ({len(test)} pairs)")
    report("engine", y_test, test.score)
    report("logistic", y_test, logistic.predict_proba((x_test - mean) / spread)[:, 1])
    report("boosted", y_test, boosted.predict_proba(x_test)[:, 1])


if __name__ == "__main__":
    main()
