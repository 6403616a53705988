#!/usr/bin/env python3
"""Generates the fake, format-valid tokens used as examples in src/detect/secret/rules.toml.

Every token is random (Python's `random` seeded below, so the output is reproducible);
none is, or was ever, a live credential. Run: python3 scripts/gen_secret_examples.py
"""
import base64
import json
import random
import string

R = random.Random(20260501)
B62 = string.ascii_letters + string.digits
B64U = B62 + "_-"
B64 = B62 + "+/"
HEX = "0123456789abcdef"
UP = string.ascii_uppercase + string.digits


def s(alphabet, n):
    return "".join(R.choice(alphabet) for _ in range(n))


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


out = {}
out["openai_proj"] = [f"sk-proj-{s(B64U, 74)}T3BlbkFJ{s(B64U, 74)}" for _ in range(2)]
out["openai_legacy"] = [f"sk-{s(B62, 20)}T3BlbkFJ{s(B62, 20)}" for _ in range(2)]
out["openai_svc"] = [f"sk-svcacct-{s(B64U, 74)}T3BlbkFJ{s(B64U, 74)}"]
out["openai_admin"] = [f"sk-admin-{s(B64U, 58)}T3BlbkFJ{s(B64U, 58)}"]
out["anthropic"] = [f"sk-ant-api03-{s(B64U, 93)}AA" for _ in range(3)]
out["anthropic_admin"] = [f"sk-ant-admin01-{s(B64U, 93)}AA"]
out["aws_id"] = [p + s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16) for p in ["AKIA", "ASIA", "AKIA", "ASIA"]]
out["aws_secret"] = [s(B64, 40) for _ in range(4)]
out["ghp"] = [f"ghp_{s(B62, 36)}" for _ in range(3)]
out["github_pat"] = [f"github_pat_{s(B62, 22)}_{s(B62, 59)}" for _ in range(3)]
out["gho"] = [f"gho_{s(B62, 36)}" for _ in range(3)]
out["ghapp"] = [f"{p}_{s(B62, 36)}" for p in ["ghu", "ghs", "ghr"]]
out["glpat"] = [f"glpat-{s(B64U, 20)}" for _ in range(2)] + [f"glpat-{s(B64U, 27)}.01.{s(string.ascii_lowercase + string.digits, 9)}"]
out["gltok"] = [f"gldt-{s(B64U, 20)}", f"glrt-{s(B64U, 20)}", f"glptt-{s(HEX, 40)}", f"glcbt-64_{s(B64U, 20)}", f"GR1348941{s(B64U, 20)}"]
num = lambda n: s(string.digits, n)
out["xoxb"] = [f"xoxb-{num(12)}-{num(13)}-{s(B62, 24)}" for _ in range(3)]
out["xoxp"] = [f"xoxp-{num(12)}-{num(12)}-{num(13)}-{s(HEX, 32)}" for _ in range(3)]
out["xapp"] = [f"xapp-1-A{s(UP, 10)}-{num(13)}-{s(HEX, 64)}" for _ in range(3)]
out["xoxe"] = [f"xoxe.xoxp-1-{s(B62, 160)}", f"xoxe-1-{s(B62, 140)}", f"xoxr-{s(B62 + '-', 60)}"]
out["slack_hook"] = [f"https://hooks.slack.com/services/T{s(UP, 8)}/B{s(UP, 10)}/{s(B62, 24)}" for _ in range(3)]
out["stripe_sk"] = [f"sk_live_{s(B62, 24)}", f"sk_live_51{s(B62, 97)}", f"sk_live_{s(B62, 99)}"]
out["stripe_rk"] = [f"rk_live_{s(B62, 24)}", f"rk_live_51{s(B62, 97)}", f"rk_live_{s(B62, 99)}"]
out["whsec"] = [f"whsec_{s(B62, 32)}" for _ in range(3)]
out["google"] = [f"AIza{s(B64U, 35)}" for _ in range(3)]
out["gocspx"] = [f"GOCSPX-{s(B64U, 28)}" for _ in range(3)]
out["ya29"] = [f"ya29.{s(B64U, 150)}" for _ in range(2)]
out["twilio_sk"] = [f"SK{s(HEX, 32)}" for _ in range(3)]
out["twilio_tok"] = [s(HEX, 32) for _ in range(3)]
out["twilio_ac"] = [f"AC{s(HEX, 32)}" for _ in range(2)]
out["sendgrid"] = [f"SG.{s(B64U, 22)}.{s(B64U, 43)}" for _ in range(3)]
out["mailgun"] = [f"key-{s(HEX, 32)}" for _ in range(3)]
out["mailgun2"] = [f"{s(HEX, 32)}-{s(HEX, 8)}-{s(HEX, 8)}" for _ in range(3)]
out["npm"] = [f"npm_{s(B62, 36)}" for _ in range(3)]
out["pypi"] = ["pypi-AgEIcHlwaS5vcmc" + s(B64U, 150) for _ in range(2)] + ["pypi-AgENdGVzdC5weXBpLm9yZw" + s(B64U, 120)]
out["hf"] = [f"hf_{s(string.ascii_letters, 34)}" for _ in range(3)] + [f"api_org_{s(string.ascii_letters, 34)}"]


def jwt(header, payload, siglen):
    return ".".join([b64u(json.dumps(header, separators=(",", ":")).encode()),
                     b64u(json.dumps(payload, separators=(",", ":")).encode()),
                     s(B64U, siglen)])


out["jwt"] = [
    jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "u_" + num(6), "iat": 1767225600}, 43),
    jwt({"alg": "RS256", "kid": s(HEX, 16)}, {"iss": "https://auth.example.net/", "exp": 1767229200}, 342),
    jwt({"typ": "JWT", "alg": "ES256"}, {"scope": "read write"}, 86),
]
out["jwt_bad_header"] = [b64u(b'{"typ":"JWT"}') + "." + b64u(b'{"sub":"1"}') + "." + s(B64U, 43),
                         "eyJ" + s(B64U, 30) + "." + s(B64U, 40) + "." + s(B64U, 43)]
out["pem_body"] = [s(B64, 64) for _ in range(3)]
out["basic"] = [base64.b64encode(b"svc_ingest:" + s(B62, 18).encode()).decode(),
                base64.b64encode(b"admin:" + s(B62 + "!#%", 14).encode()).decode()]
out["bearer_opaque"] = [s(B62, 40), s(HEX, 48), s(B64U, 64)]
out["generic_tok"] = [s(B62, 32) for _ in range(4)]
out["pw"] = [s(B62 + "!#%^*", 14) for _ in range(4)]
for k, v in out.items():
    for t in v:
        print(f"{k}\t{t}")
