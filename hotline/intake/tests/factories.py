"""Factories of the intake tests: files to import, resolved portal orders."""

from __future__ import annotations

import io
import json

from hotline.orders import services as order_services
from hotline.orders.models import Order

HEADER = ["编号", "诉求内容", "来电号码", "诉求分类", "镇街代码"]


def rows(n: int, start: int = 1) -> list[list[str]]:
    return [
        [
            f"R-{i:05d}",
            f"第{i}号：小区停水一天了，物业联系不上。",
            f"1380000{i:04d}",
            "living",
            "440902101",
        ]
        for i in range(start, start + n)
    ]


def csv_bytes(data: list[list[str]], header=HEADER, encoding="utf-8") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(data)
    return out.getvalue().encode(encoding)


def xlsx_bytes(data: list[list], header=HEADER) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def jsonl_bytes(data: list[list[str]], header=HEADER) -> bytes:
    return "\n".join(
        json.dumps(dict(zip(header, r, strict=True)), ensure_ascii=False) for r in data
    ).encode()


def resolved(order: Order, people) -> Order:
    """Take a portal order through dispatch → accept → resolve as the center and unit do."""
    order.refresh_from_db()
    if order.handling_unit is None or order.handling_unit.code != "440902101":
        order = order_services.dispatch(people.supervisor, order, unit="440902101")
    order = order_services.accept(people.gongguan, order)
    return order_services.resolve(
        people.gongguan, order, reply="已联系自来水公司，今天下午恢复供水。"
    )
