"""Made-up village and residential committees (居村组织) of Qingpu's 11 towns and streets, in the real naming
pattern, for examples/qingpu-villages.csv and the onboarding benchmark.

    python benchmarks/villages.py examples/qingpu-villages.csv        # the shipped sample (206 rows)
    python benchmarks/villages.py /tmp/wave.csv 2000                   # a bigger wave
"""

from __future__ import annotations

import csv
import itertools
import random
import sys

TOWNS = [  # (街镇, code, supervising department, is a street)
    ("朱家角镇", "zjj", "朱家角镇人民政府", False), ("练塘镇", "lt", "练塘镇人民政府", False),
    ("金泽镇", "jz", "金泽镇人民政府", False), ("赵巷镇", "zx", "赵巷镇人民政府", False),
    ("徐泾镇", "xj", "徐泾镇人民政府", False), ("华新镇", "hx", "华新镇人民政府", False),
    ("重固镇", "cg", "重固镇人民政府", False), ("白鹤镇", "bh", "白鹤镇人民政府", False),
    ("夏阳街道", "xy", "夏阳街道办事处", True), ("盈浦街道", "yp", "盈浦街道办事处", True),
    ("香花桥街道", "xhq", "香花桥街道办事处", True),
]
FIRST = "张王李沈陈朱杨周徐金东西南北新大小高前后黄蔡莲钱任林"
SECOND = "浜港泾塘桥湾庄圩泽家田湖溪"
ROADS = ["城中路", "公园路", "青松路", "外青松公路", "沪青平公路", "华青路", "淀山湖大道", "崧泽大道"]
HEADERS = ["单位名称", "单位代码", "类别", "主管部门", "街镇", "地址", "预算单位", "等保等级", "等保测评日期", "联系人",
           "申请依据", "接入范围", "链路方式", "应用用途", "带宽", "技术要求", "时间要求", "费用承担"]


def rows(n: int | None = None) -> list[list[str]]:
    """206 rows (19 villages per town, 18 residential committees per street), or n rows cycling the towns."""
    per_town = {t[0]: (18 if t[3] else 19) for t in TOWNS}
    pairs = [a + b for a in FIRST for b in SECOND]  # 351 names per town, in a fixed shuffled order
    out, names = [], {t[0]: iter(random.Random(t[1]).sample(pairs, len(pairs))) for t in TOWNS}
    counts = {t[0]: 0 for t in TOWNS}
    total = n or sum(per_town.values())
    order = itertools.cycle(TOWNS) if n else (t for t in TOWNS for _ in range(per_town[t[0]]))
    for i, (town, code, dept, street) in zip(range(total), order):
        a, b = next(names[town])
        suffix = ""
        counts[town] += 1
        k = counts[town]
        kind = "居民委员会" if street else "村村民委员会"
        name = f"{town}{a}{b}{suffix}{kind}"
        # every seventh committee shares the previous one's office (Art. 14: one link per address)
        house = k - 1 if k % 7 == 0 else k
        address = (f"青浦区{town}{ROADS[house % len(ROADS)]}{house * 3 + 1}号" if street
                   else f"青浦区{town}{a}{b}{suffix}村{house % 90 + 1}号")
        if k % 7 == 0:
            prev = out[-1] if out and out[-1][4] == town else None
            address = prev[5] if prev else address
        out.append([name, f"{code}-{'r' if street else 'v'}{k:04d}", "居村组织", dept, town, address, "是", "2",
                    f"2025-{(i % 12) + 1:02d}-{(i % 27) + 1:02d}", f"{a}{'主任'}",
                    "区政府关于居村组织接入电子政务外网的工作要求", "居村委办公区", "dedicated",
                    "一网通办、一网统管、视频会议", "50", "光纤专线，千兆电口", "本季度内", "budget"])
    return out


def write(path: str, n: int | None = None, encoding: str = "utf-8-sig") -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows(rows(n))


if __name__ == "__main__":
    write(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
