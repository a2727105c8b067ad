#!/usr/bin/env python3
"""Builds ../near-duplicate-pairs.jsonl from the hand-written pairs beside this file and the project's own
labelled headlines (data/classify/own): run it from the repository's root, `python3 data/monitoring/source/make-pairs.py`.
Deterministic: the same files give the same pairs."""
import json, random, re

def tsv(path):
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            client, a, b = line.rstrip("\n").split("\t")
            yield client, a, b

pairs = []
for client, a, b in tsv("data/monitoring/source/positives.tsv"):
    pairs.append({"a": a, "b": b, "client": client, "same": True, "kind": "rewording"})
for client, a, b in tsv("data/monitoring/source/negatives.tsv"):
    pairs.append({"a": a, "b": b, "client": client, "same": False, "kind": "different-facts"})

# Two real-shaped headlines of one category about two clients, the second rewritten about the first client: the same
# client's different stories of one kind (two funding rounds, two layoffs), the hard case for near-duplicates.
rows = [json.loads(l) for f in ("train", "heldout") for l in open(f"data/classify/own/{f}.jsonl", encoding="utf-8")]
rows = [r for r in rows if r.get("client") and r["client"] in r["title"]]
random.seed(14)
by_category = {}
for r in rows:
    by_category.setdefault(r["category"], []).append(r)
for category in sorted(by_category):
    group = by_category[category]
    for _ in range(19):
        first, second = random.sample(group, 2)
        if first["client"] == second["client"] or first["client"] in second["title"]:
            continue
        b = re.sub(re.escape(second["client"]), first["client"], second["title"])
        pairs.append({"a": first["title"], "b": b, "client": first["client"], "same": False, "kind": "same-category"})

with open("data/monitoring/near-duplicate-pairs.jsonl", "w", encoding="utf-8") as out:
    for p in pairs:
        out.write(json.dumps(p, ensure_ascii=False) + "\n")
print(sum(p["same"] for p in pairs), "same,", sum(not p["same"] for p in pairs), "different")
