"""Small labelled files for the tests of train, operating-point and retrain."""

import json


def writer_rows(n: int, offset: int) -> list[dict]:
    """One small "writer": ``n`` urgent and ``n`` normal appeals, each said a little differently."""
    rows = []
    for k in range(offset, offset + n):
        rows.append({"text": f"我奶奶{k}岁药吃完了", "category": "medical", "appeal_type": "help",
                     "urgency": "urgent", "vulnerable": ["elderly", "sick"]})  # fmt: skip
        rows.append({"text": f"请问第{k}号核酸点几点开门", "category": "testing",
                     "appeal_type": "inquiry", "urgency": "normal", "vulnerable": []})  # fmt: skip
    return rows


def write_jsonl(path, rows) -> str:
    """Write ``rows`` as JSON lines to ``path``; returns the path as a string."""
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return str(path)
