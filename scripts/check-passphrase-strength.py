#!/usr/bin/env python3
"""Compares PassphraseStrength (Swift) with the reference zxcvbn (PyPI) on a fixed sample.

    pip install zxcvbn==4.5.0
    python3 scripts/check-passphrase-strength.py            # regenerate the sample, run the Swift side, report
    python3 scripts/check-passphrase-strength.py --no-swift # only regenerate the sample

Writes Tests/SealedJournalTests/Vectors/passphrase-strength-zxcvbn.json: about 200 passwords and
passphrases (deterministic: seeded) with zxcvbn's score and log10(guesses). The Swift test
PassphraseStrengthAgreementTests reads it (the Swift suite never needs Python), prints the
agreement and fails below the thresholds it states. This script then runs that test and shows
the figures.
"""
import json, os, random, subprocess, sys
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS as F

rng = random.Random(20261127)
pw, en, sur, fem = F["passwords"], F["english_wikipedia"], F["surnames"], F["female_names"]
sample = []
sample += pw[:20]                                             # top passwords
sample += [pw[i] for i in rng.sample(range(20, 10000), 25)]  # common passwords (in our list)
sample += [pw[i] for i in rng.sample(range(10000, 30000), 10)]  # less common (beyond our list)
leet = str.maketrans({"a": "@", "o": "0", "e": "3", "s": "$", "i": "1"})
sample += [w.capitalize() + str(rng.randint(0, 99)) for w in rng.sample(en[100:5000], 10)]
sample += [w.translate(leet) for w in rng.sample([p for p in pw[:3000] if len(p) >= 6 and p.isalpha()], 10)]
sample += [w[::-1] for w in rng.sample([p for p in pw[:2000] if len(p) >= 6 and p.isalpha()], 5)]
sample += ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx", "qazwsxedc", "poiuytrewq", "7896541230", "!@#$%^&*",
           "aaaaaaaa", "abcabcabc", "11111111", "zzzzzzzzzzzz", "abcdefgh", "9876543210", "hahahaha", "blahblahblah",
           "01/01/1990", "19901231", "12-25-2015", "1987", "april1985", "john1978", "mary2012!", "13.06.2001"]
sample += [rng.choice(fem).capitalize() + rng.choice(sur).capitalize() for _ in range(8)]
sample += [rng.choice(en[:2000]) + rng.choice(en[:2000]) for _ in range(12)]
sample += [" ".join(rng.choice(en[:20000]) for _ in range(k)) for k in (2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6)]
sample += ["-".join(rng.choice(en[2000:30000]) for _ in range(4)) for _ in range(6)]
alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#%&*+-=?@"
sample += ["".join(rng.choice(alphabet) for _ in range(n)) for n in (4, 6, 6, 8, 8, 8, 10, 10, 12, 12, 14, 16, 20, 24)]
sample += ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n)) for n in (6, 8, 10, 12, 16)]
sample += ["correct horse battery staple", "Tr0ub4dor&3", "one day at a time", "onedayatatime", "sober2019",
           "recovery123", "sealedjournal", "mysoberjournal", "serenity prayer", "ilovemykids", "password1!",
           "P@ssw0rd2024", "letmein123", "iloveyou", "trustno1", "monkey123", "dragon2000", "baseball99",
           "Summer2023!", "Winter2020", "changeme", "welcome1", "qwerty123", "abc123456", "passw0rd"]
sample += ["café crème brûlée", "naïve résumé 2020", "Größe und Stärke", "пароль123", "日本語のパスワード"]
seen, unique = set(), []
for s in sample:
    if s and s not in seen:
        seen.add(s); unique.append(s)
cases = []
for s in unique:
    r = zxcvbn(s)
    cases.append({"passphrase": s, "score": r["score"], "guessesLog10": round(float(r["guesses_log10"]), 3)})
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
out = os.path.join(here, "Tests", "SealedJournalTests", "Vectors", "passphrase-strength-zxcvbn.json")
with open(out, "w") as f:
    json.dump({"zxcvbn": {"source": "zxcvbn 4.5.0 (PyPI), scripts/check-passphrase-strength.py", "cases": cases}}, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(cases)} cases to {os.path.relpath(out, here)}")
if "--no-swift" not in sys.argv:
    run = subprocess.run(["swift", "test", "--filter", "PassphraseStrengthAgreementTests"], cwd=here,
                         capture_output=True, text=True)
    for line in (run.stdout + run.stderr).splitlines():
        if "agreement" in line.lower() or "failed" in line.lower() or "passed" in line.lower():
            print(line)
    sys.exit(run.returncode)
