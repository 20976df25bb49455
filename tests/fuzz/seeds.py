#!/usr/bin/python3
"""Writes the seed corpora of tests/fuzz/corpus/NAME/ (committed; run this
only to change them): small, real-looking inputs for each fuzz target.
Needs Debian's python3 and python3-cryptography (for the sealed vault
texts, made with the keys fixed in fuzz_vault.c). Deterministic except for
the vault nonces."""
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- csv: user imports and checkups, UTF-8 (with and without BOM), CP932 --
USERS_JA = ("社員番号,氏名,権限,ラベル,メールアドレス\r\n"
            "E001,山田 太郎,従業員,本社;営業部,yamada@example.jp\r\n"
            "E002,佐藤 花子,実施者,本社,\r\n"
            "Ｅ００３,\"鈴木, 一郎\",産業保健スタッフ,大阪支店；工場,\r\n"
            "E004,\"高橋 \"\"ケン\"\"\",管理者,,ken@example.jp\r\n")
USERS_EN = ("employee_no,name,role,labels,email\n"
            "A-100,Alice Example,employee,tokyo;sales,alice@example.com\n"
            "A-101,Bob Example,sc_implementer,,\n"
            "A-101,Bob Twice,employee,,\n")
CHECKUP_JA = ("社員番号,氏名,フリガナ,受診日,健診種別(定期/雇入/特定業務/人間ドック),"
              "年齢,性別,身長cm,体重kg,腹囲(cm),収縮期血圧,拡張期血圧,"
              "尿糖,尿蛋白,Hb,AST(GOT),ALT(GPT),γ-GTP,LDL,HDL,中性脂肪,"
              "空腹時血糖,HbA1c,胸部X線所見,心電図所見,聴力1000Hz右,"
              "総合判定(A-E),就業区分(通常/制限/休業),医師の意見\r\n"
              "E001,山田 太郎,ヤマダ タロウ,2026/4/15,定期,45,男,170.0,65.5,"
              "84,128,82,−,±,14.2,<5,22,60,140,45,180,98,5.4,異常なし,"
              "所見あり,所見なし,B,通常,\"経過観察\"\r\n"
              "E002,佐藤 花子,サトウ ハナコ,2026年4月16日,雇入,29,女,158,50,"
              "70,110,70,-,-,11.8,18,15,20,100,60,80,90,5.1,異常なし,"
              "異常なし,30,A,通常,\r\n")
CHECKUP_EN = ("exam_date,employee_no,kind,sex,systolic_bp,diastolic_bp,hba1c,"
              "judgement,work_class\n"
              "2026-04-15,E002,periodic,female,135,88,5.9,c,restricted\n"
              "2026-13-40,E003,dock,m,abc,,,,\n")
FULLWIDTH = ("社員番号,受診日,収縮期血圧,拡張期血圧\n"
             "Ｅ００３,２０２６／４／１,１２０,８０\n")
put("csv", "users-ja-utf8.csv", USERS_JA)
put("csv", "users-ja-utf8-bom.csv", b"\xef\xbb\xbf" + USERS_JA.encode())
put("csv", "users-ja-cp932.csv", USERS_JA.replace("−", "-").encode("cp932"))
put("csv", "users-en.csv", USERS_EN)
put("csv", "checkup-ja-utf8.csv", CHECKUP_JA)
put("csv", "checkup-ja-cp932.csv",
    CHECKUP_JA.replace("−", "-").encode("cp932"))
put("csv", "checkup-en.csv", CHECKUP_EN)
put("csv", "checkup-fullwidth.csv", FULLWIDTH)
put("csv", "halfwidth-kana-cp932.csv",
    "社員番号,氏名\r\nE010,ﾔﾏﾀﾞ ﾀﾛｳ\r\n".encode("cp932"))
put("csv", "quoted-newline.csv",
    "employee_no,name\n\"E020\",\"line\nbreak\"\n\n\"E021\",\"a\"\"b\"\n")
put("csv", "broken-quote.csv", "employee_no,name\nE030,\"open\n")

# --- checkup_findings: the items JSON ailes_checkup_check keeps -----------
put("checkup_findings", "items-ja.json",
    '{"age":45,"bmi":22.7,"diastolic_bp":82,"height_cm":170,'
    '"judgement":"B","ldl":140,"sex":"male","systolic_bp":128,'
    '"urine_glucose":"-","urine_protein":"+-","weight_kg":65.5,'
    '"work_class":"normal"}')
put("checkup_findings", "items-findings.json",
    '{"sex":"female","hb":11.2,"ast":"<5","alt":45,"ggt":80,"hdl":35,'
    '"tg":200,"fasting_glucose":110,"hba1c":6.1,"urine_glucose":"2+",'
    '"urine_protein":"+","hearing_1000_right":"finding",'
    '"hearing_4000_left":45,"chest_xray":"陳旧性陰影","ecg":"normal"}')
put("checkup_findings", "items-wrong-types.json",
    '{"systolic_bp":"high","hb":null,"ecg":1,"sex":["male"]}')
put("checkup_findings", "date-slash.txt", "2026/4/15")
put("checkup_findings", "date-kanji.txt", "2026年11月26日")

# --- json: request bodies -----------------------------------------------
bodies = {
    "login.json": {"tenant": "acme", "employee_no": "E001",
                   "password": "correct horse battery staple"},
    "totp.json": {"code": "123456"},
    "user.json": {"employee_no": "E002", "name": "佐藤 花子",
                  "role": "sc_implementer", "labels": ["本社", "営業部"],
                  "email": "hanako@example.jp"},
    "answers.json": {"campaign": 3, "sex": "female",
                     "answers": [1, 2, 3, 4] * 14 + [None],
                     "submit": False},
    "password.json": {"current_password": "old-pass-123",
                      "new_password": "新しいパスワード2026"},
}
for name, body in bodies.items():
    put("json", name, json.dumps(body, ensure_ascii=False))
put("json", "not-object.json", "[1,2,3]")
put("json", "duplicate.json", '{"a":1,"a":2}')
put("json", "escapes.json", '{"name":"\\u5c71\\u7530\\ud83d\\ude00","x":1e400}')

# --- parse: selector byte (fuzz_parse.c), then the text --------------------
parse = [
    (0, "acme-1"), (0, "Acme_Corp"), (1, "E0001"), (1, "Ｅ０００１"),
    (1, " E1"), (2, "山田 太郎"), (2, "tab\there"), (3, "42"),
    (3, "-9223372036854775809"), (3, "0x10"), (4, "30m"), (4, "86400"),
    (4, "7d"), (4, "-1h"),
    (5, "ailes\nailes=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd; "
        "theme=dark"),
    (5, "__Host-ailes\n__Host-ailes=tok; __Host-ailes=second"),
    (5, "a\n  a = x ;a=y;; b=\"q\""),
    (6, "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd"),
    (7, "287082"), (7, "12345"), (8, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
    (8, "gezd gnbv"), (9, "abcd-efgh-jkmn"), (9, "受検者"),
    (9, "tenant_admin"), (10, "Passw0rd!"), (10, "E0001E0001E0001"),
    (11, "2026-11-26"), (11, "2026-02-30"),
]
for i, (sel, text) in enumerate(parse):
    put("parse", "%02d-%d" % (i, sel), bytes([sel]) + text.encode())

# --- cidr -----------------------------------------------------------------
for i, text in enumerate([
        "192.0.2.0/24", "10.0.0.0/8, 172.16.0.0/12 192.168.0.0/16",
        "2001:db8::/32,::1", "::ffff:192.0.2.1", "192.0.2.1/24",
        "0.0.0.0/0 ::/0", "fe80::1%eth0", "300.1.1.1", "1.2.3.4/33"]):
    put("cidr", "%02d" % i, text)

# --- conffile: directive lines --------------------------------------------
put("conffile", "httpd.conf",
    "ServerRoot \"/etc/apache2\"\n"
    "# comment\n"
    "DBDriver pgsql\n"
    "DBDParams \"host=127.0.0.1 port=5432 dbname=ailes user=ailes "
    "password='s3cr\\\"et'\"\n"
    "AilesVaultKeyFile /etc/ailes/vault.key\n"
    "AilesBcryptCost 12\n"
    "IncludeOptional conf-enabled/*.conf\n"
    "<VirtualHost *:443>\n"
    "    AilesAuditRetention 400d\n"
    "</VirtualHost>\n")
put("conffile", "unterminated", "DBDParams \"host=x\n")
put("conffile", "single-quote", "AilesVaultDB sqlite3 '/var/lib/ailes/v.db'")

# --- session: cache values (ailes_session_encode's format) ------------------
good = ("s1\t9f86d081884c7d659a2feaa0c55ad015\t7\tacme-1\t42\tE0001\t"
        "employee\tcsrf-0123456789abcdef\t1795650000\t1795651100\t"
        "1795680000\tfull\t-\t.")
put("session", "valid", good)
put("session", "mfa-ip", good.replace("full\t-", "mfa\t192.0.2.0/24"))
put("session", "huge-ints", good.replace("1795651100", "9223372036854775807"))
put("session", "cut", good[:60])
put("session", "empty-fields", "s1\t\t\t\t\t\t\t\t\t\t\t\t\t.")

# --- bjsq: 57 digits (0 = not answered), m or f, optional thresholds ------
put("bjsq", "all-ones-m", "1" * 57 + "m")
put("bjsq", "all-fours-f", "4" * 57 + "f")
put("bjsq", "mixed-f", ("1234" * 15)[:57] + "f")
put("bjsq", "unanswered", "2" * 30 + "0" + "3" * 26 + "m")
put("bjsq", "thresholds", "3" * 57 + "m" + bytes([77, 76, 63]).decode())

# --- vault: selector byte (fuzz_vault.c), then the text --------------------
KEY_NEW = b"fuzz-vault-key-new-0123456789ab\0"
KEY_OLD = b"fuzz-vault-key-old-0123456789ab\0"


def key_id(key):
    return hashlib.sha256(key).hexdigest()[:16]


def seal(key, tenant, user, field, plain):
    import base64
    aad = b"ailes-vault-v1\0%d\0%d\0%s\0" % (tenant, user, field.encode())
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, plain.encode(), aad)
    return "%s.%s.%s" % (key_id(key), base64.b64encode(nonce).decode(),
                         base64.b64encode(ct).decode())


totp_new = seal(KEY_NEW, 1, 2, "totp", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
totp_old = seal(KEY_OLD, 1, 2, "totp", "JBSWY3DPEHPK3PXP")
put("vault", "0-open-new", b"\0" + totp_new.encode())
put("vault", "0-open-old", b"\0" + totp_old.encode())
put("vault", "0-wrong-user", b"\0" + seal(KEY_NEW, 1, 3, "totp", "x").encode())
put("vault", "1-no-id", b"\1" + totp_new.split(".", 1)[1].encode())
put("vault", "2-seal-name", b"\2" + "山田 太郎".encode())
put("vault", "3-index", b"\3" + "山田　太郎 ＡＢＣ".encode())

# --- chain: audit log records as ailes-logship reads them ------------------
def chain(lines, t="2026-11-26T09:00:00.000+09:00"):
    prev, out = "0" * 64, []
    for seq, line in enumerate(lines, 1):
        h = hashlib.sha256(("%s|%d|%s|%s" % (prev, seq, t, line))
                           .encode()).hexdigest()
        rec = {"seq": seq, "time": t, "prev": prev, "hash": h, "line": line}
        if seq == 1:
            rec["start"] = True
        out.append(json.dumps(rec, ensure_ascii=False,
                              separators=(",", ":")))
        prev = h
    return "\n".join(out) + "\n"


audit = ['{"event":"login","tenant":"acme","employee_no":"E001"}',
         '{"event":"user.create","by":"E002","name":"山田"}',
         'plain text line \\x00']
put("chain", "valid", chain(audit))
put("chain", "edited", chain(audit).replace("E001", "E009"))
put("chain", "restart", chain(audit[:1]) + chain(audit[1:]))
put("chain", "not-json", "hello\n{}\n")
sys.exit(0)
