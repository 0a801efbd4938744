#!/usr/bin/env python3
"""Splink 5 (DuckDB) on Splink's `historical_figures_with_errors_50k`, with the model of
Splink's own tutorial for that set (docs/demos/examples/duckdb/deduplicate_50k_synthetic):
the peer a user would pick, configured the way its authors configure it.

    python splink_historical.py --input historical_figures_with_errors_50k.csv \
        --output clusters.csv [--threshold 0.95]

Input: the set as published (unique_id, cluster, full_name, first_and_surname, first_name,
surname, dob, birth_place, postcode_fake, gender, occupation). The truth column `cluster` is
dropped before Splink sees the data. Output: `record_id,cluster_id` for every record.

Model, as in the tutorial:
  comparisons  ForenameSurnameComparison(first_name, surname) with the concatenated name for
               term frequencies; DateOfBirthComparison(dob, string); PostcodeComparison;
               ExactMatch(birth_place) and ExactMatch(occupation), both term-frequency adjusted
  blocking     the tutorial's ten rules (prefixes of names, dob, postcode, birth place)
  training     λ from three deterministic rules at recall 0.6; u by random sampling
               (max_pairs 1e7); EM blocked on first_name+surname, then on dob
  clusters     connected components at match probability >= --threshold (tutorial: 0.95)
Prints the wall time of each stage.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--threshold", type=float, default=0.95)
    args = parser.parse_args()

    started = time.perf_counter()
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE input_records AS SELECT * EXCLUDE (cluster), "
        "first_name || ' ' || surname AS first_name_surname_concat "
        "FROM read_csv(?, all_varchar = true, header = true)",
        [args.input],
    )
    db_api = DuckDBAPI(connection=con)
    records = db_api.register("input_records")
    loaded = time.perf_counter()

    rules = [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode_fake", "first_name"),
        block_on("postcode_fake", "surname"),
        block_on("dob", "birth_place"),
        block_on("substr(postcode_fake,1,3)", "dob"),
        block_on("substr(postcode_fake,1,3)", "first_name"),
        block_on("substr(postcode_fake,1,3)", "surname"),
        block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.ForenameSurnameComparison(
                "first_name",
                "surname",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(records, settings)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_name", "surname", "dob"),
            block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
            block_on("dob", "postcode_fake"),
        ],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True
    )
    trained = time.perf_counter()

    predictions = linker.inference.predict()
    predicted = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=args.threshold
    )
    rows = clusters.as_duckdbpyrelation().select("unique_id, cluster_id").fetchall()
    clustered = time.perf_counter()

    with open(args.output, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["record_id", "cluster_id"])
        writer.writerows(rows)
    done = time.perf_counter()
    print(f"records={len(rows)} clusters={len({c for _, c in rows})}")
    print(
        f"time_load_s={loaded - started:.2f} time_training_s={trained - loaded:.2f} "
        f"time_prediction_s={predicted - trained:.2f} "
        f"time_clustering_s={clustered - predicted:.2f} time_total_s={done - started:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
