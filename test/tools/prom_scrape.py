#!/usr/bin/python3
"""prom_scrape.py URL [NAME:TYPE...]: fetches URL (test tool), checks the
answer is the Prometheus text format as the reference parser
(python3-prometheus-client) reads it: status 200, Content-Type
text/plain; version=0.0.4, every family parsed, every NAME:TYPE given
present with that type, every family named *_total a counter.  Prints one
line per sample, NAME|LABELS|VALUE, labels sorted as k=v joined by commas;
exits 1 with the reason on stderr otherwise."""
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    url, want = sys.argv[1], dict(a.rsplit(":", 1) for a in sys.argv[2:])
    with urllib.request.urlopen(url, timeout=10) as r:
        ctype = r.headers.get("Content-Type", "")
        text = r.read().decode()
    if not ctype.startswith("text/plain; version=0.0.4"):
        sys.exit("Content-Type: %r" % ctype)
    types, out = {}, []
    for fam in text_string_to_metric_families(text):
        # the parser drops the _total of a counter's family name
        name = fam.name + "_total" if fam.type == "counter" else fam.name
        if fam.type not in ("counter", "gauge"):
            sys.exit("%s: type %s" % (name, fam.type))
        if not fam.documentation:
            sys.exit("%s: no HELP" % name)
        types[name] = fam.type
        for s in fam.samples:
            labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
            out.append("%s|%s|%d" % (s.name, labels, s.value))
    for name, t in want.items():
        if types.get(name) != t:
            sys.exit("%s: type %s, want %s" % (name, types.get(name), t))
    for name, t in types.items():
        if name.endswith("_total") != (t == "counter"):
            sys.exit("%s is a %s" % (name, t))
    print("\n".join(out))


main()
