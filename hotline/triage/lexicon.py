"""The rule layer's lexicons, in the words callers use (Simplified Chinese).

Edit these lists to teach the rules new phrasing; every list is space-separated words.
"""

from __future__ import annotations


def _w(words: str) -> list[str]:
    return words.split()


# term -> category hint; a life is in danger now.
CRITICAL: dict[str, str] = {
    **dict.fromkeys(
        _w(
            "叫不应 喊不应 吃了一整瓶 都不醒 喊不醒 摇不醒 想死 去死 活着没意思 "
            "活不下去 遗书 站在天台 天台边 楼顶边 要跳下去 想跳下去 "
            "胸痛 胸口痛 胸口疼 心口痛 心口疼 喘不上气 喘不过气 上不来气 呼吸困难 "
            "透不过气 叫不醒 喊不醒 昏迷 晕倒 昏倒 晕过去 不省人事 没有意识 没意识 "
            "没反应 抽搐 抽筋 口吐白沫 大出血 流血不止 血止不住 见红 羊水破 破水 "
            "要生了 快生了 肚子疼得厉害 宫缩 脸色发紫 嘴唇发紫 心跳停 没呼吸 没有呼吸 "
            "心梗 脑梗 中风了 想不开 不想活 自杀 轻生 寻死 跳楼 割腕 喝农药 "
            "吃安眠药 误吞 吞了 误服 误食 卡住喉咙 卡喉咙 噎住 烫伤严重 被咬 "
            "高烧抽搐 休克"
        ),
        "medical",
    ),
    **dict.fromkeys(
        _w(
            "煤气泄漏 燃气泄漏 煤气泄露 燃气泄露 漏气了 煤气味 燃气味 着火 起火 失火 "
            "火灾 冒烟 烧起来 走失 走丢 失踪 找不到人了 人不见了 触电 溺水 掉进水 "
            "拿着刀 拿刀 动刀 被困 困在电梯 打人 持刀 砍人 家暴 打老婆 打老公 喊救命 救命啊"
        ),
        "safety",
    ),
}
# Need terms that are urgent whoever is speaking (the need itself is basic and unmet).
NEED_STRONG: dict[str, str] = {
    **dict.fromkeys(_w("断药 停药 药断了 没药吃 没有药吃 胰岛素没了 胰岛素用完"), "medical"),
    **dict.fromkeys(
        _w(
            "断粮 没饭吃 没有饭吃 没东西吃 没吃的了 没有吃的了 饿了两天 饿了一天 "
            "饿肚子 奶粉没了 没奶粉 奶粉喝完 奶粉吃完 没有奶粉"
        ),
        "supplies",
    ),
}
# Need terms that are urgent when a vulnerable person is concerned.
NEED: dict[str, str] = {
    **dict.fromkeys(
        _w(
            "没药 没有药 药吃完 药快吃完 药没了 缺药 买不到药 拿不到药 配不到药 "
            "看不了病 去不了医院 进不了医院 不让去医院 出不去看病 就医难 没人送医 "
            "发高烧 高烧不退 烧到39 烧到40"
        ),
        "medical",
    ),
    **dict.fromkeys(
        _w(
            "没菜 没有菜 还剩一点 只剩一点 最多吃到 撑不到 撑不过 快吃完 "
            "没吃的 没有吃的 吃的快没了 买不到菜 没米 缺粮 缺吃的 "
            "尿不湿没了 没人照顾 无人照顾 没人管 联系不上 一个人在家 独自在家 没人送饭"
        ),
        "supplies",
    ),
}
# term -> flag; these words name one person (我奶奶, 宝宝, 怀孕 …).
VULN_SPECIFIC: dict[str, str] = {
    **dict.fromkeys(
        _w(
            "奶奶 爷爷 外婆 外公 姥姥 姥爷 阿婆 阿公 阿嫲 阿爷 老人家 家里老人 "
            "我家老人 老母亲 老父亲 老妈 老爸 老伴 五保户 "
            "老年痴呆 阿尔茨海默 失智 老大爷 老奶奶 老太太 老爷子 老阿姨 大爷 大妈"
        ),
        "elderly",
    ),
    **dict.fromkeys(
        _w(
            "宝宝 婴儿 小孩 孩子 小朋友 新生儿 奶粉 幼儿 小孙子 小孙女 孙子 孙女 "
            "尿不湿 BB 娃 小宝 月大 上幼儿园 读小学 三胞胎 双胞胎"
        ),
        "child",
    ),
    **dict.fromkeys(
        _w(
            "高血压 糖尿病 心脏病 尿毒症 透析 血透 化疗 放疗 癌症 肿瘤 白血病 哮喘 "
            "发烧 发热 高烧 抑郁 精神病 精神分裂 术后 刚做完手术 中风 癫痫 肾衰 "
            "生病 病了 胰岛素 降压药 发高烧 高烧不退 烧到39 烧到40 心梗 脑梗 "
            "重病 住院 病重 肺病 甲亢 乙肝 痛风 骨折 摔伤 咳血"
        ),
        "sick",
    ),
    **dict.fromkeys(
        _w(
            "残疾 瘫痪 瘫在床 卧床 偏瘫 盲人 失明 看不见 聋哑 耳聋 坐轮椅 轮椅 "
            "行动不便 截肢 智障 智力障碍 腿脚不便 下不了床 残疾证"
        ),
        "disabled",
    ),
    **dict.fromkeys(
        _w(
            "怀孕 怀着 待产 临产 产检 预产期 产妇 坐月子 刚生完 哺乳期 见红 羊水 "
            "破水 要生了 快生了 宫缩 保胎 孕晚期 孕早期 孕期 大肚婆"
        ),
        "pregnant",
    ),
}
# term -> flag; these words name a group and flag only when anchored to a person.
VULN_GENERIC: dict[str, str] = {
    **dict.fromkeys(_w("老人 老年人 长者 高龄 老年 独居老人 孤寡老人 空巢老人"), "elderly"),
    **dict.fromkeys(_w("儿童 婴幼儿 未成年 小学生 幼儿园"), "child"),
    **dict.fromkeys(_w("病人 患者 病患 慢病患者 慢性病 慢病"), "sick"),
    **dict.fromkeys(_w("残疾人 残障"), "disabled"),
    **dict.fromkeys(_w("孕妇 孕产妇"), "pregnant"),
}
# Explicit appeal-type words: the caller names the kind of appeal.
TYPE_CUES: dict[str, str] = {
    **dict.fromkeys(
        _w("举报 实名举报 偷偷营业 偷偷开门 私自开门 瞒报 违规聚集 偷偷聚集"), "report"
    ),
    **dict.fromkeys(
        _w("投诉 态度恶劣 态度很差 态度差 不作为 乱收费 推诿 踢皮球 不管不问"), "complaint"
    ),
    **dict.fromkeys(_w("表扬 点赞 锦旗 感谢信 值得表扬 好评"), "praise"),
    **dict.fromkeys(_w("建议 提个建议 提议"), "suggestion"),
}
# Treatments that cannot wait; with a BLOCKED word in the sentence they are urgent.
TREATMENT = _w("透析 化疗 放疗 产检 复诊 打胰岛素 血透 打针")
BLOCKED = _w(
    "去不了 出不去 不让出 不给出 被拦 拦住 进不去 没法去 没办法去 无法去 "
    "耽误 不能去 停了 断了 做不了 过不去 不放行 出不了 不给进 不让进 进不了 没来"
)
# Lower the urgency by one level.
LOWER = _w(
    "不严重 不太严重 不要紧 没大碍 没什么大碍 已经好了 已经好转 已经送医 "
    "已送医 已经送到医院 已经送去医院 120已经 救护车已经 情况稳定 暂时稳定"
)
# The danger is over: back to normal.
RESOLVED = _w("火已经灭 已经灭了 已经扑灭 已经找到 找到了 已经没事 已经好了 已经醒了 没人受伤")
# Longer words that contain a lexicon term without meaning it (发热门诊 is no sick person).
MASKS = _w("发热门诊 发烧门诊 儿童医院 妇幼保健院 打不着火 点不着火 火车 慢性病的药 小孩子气")
# Rumours: danger words in these sentences are not emergencies.
HEARSAY = _w("听说 据说 网传 网上说 网上传 传言 谣言 有人说 朋友圈说 群里说 是真的吗 是不是真的")
HYPOTHETICAL = _w("如果 万一 假如 要是 假设 一旦")
QUESTION = _w(
    "请问 吗 呢 ? 怎么 哪里 在哪 哪些 能否 是否 可不可以 能不能 有没有 多少 几点 什么时候 咨询"
)
# Words that tie a group noun to one person.
ANCHORS = _w(
    "我 我家 家里 家中 我们家 邻居 隔壁 楼上 楼下 有个 有一位 有位 一位 "
    "一个 他 她 老公 老婆 爱人 儿子 女儿 父亲 母亲 亲戚 朋友"
)
# Any of these makes an appeal epidemic-related.
EPIDEMIC = _w(
    "疫情 核酸 健康码 行程卡 粤康码 场所码 黄码 红码 灰码 绿码 弹窗 带星 "
    "赋码 转码 封控 管控 防范区 静默 解封 封楼 封村 封路 隔离 方舱 密接 "
    "次密接 时空伴随 阳性 确诊 无症状 抗原 混管 单管 采样 风险区 流调 防疫 "
    "出入卡 出门卡 通行证 通行码 卡口 新冠 保供 居家 防控"
)
# Signs of illness among the critical terms: they name a sick person.
SICK_SIGNS = frozenset(
    _w(
        "上不来气 不省人事 中风了 休克 口吐白沫 叫不醒 呼吸困难 喊不醒 喘不上气 "
        "喘不过气 嘴唇发紫 大出血 心口疼 心口痛 心梗 心跳停 抽搐 昏倒 昏迷 晕倒 "
        "晕过去 没呼吸 没意识 没有呼吸 没有意识 胸口疼 胸口痛 胸痛 脑梗 脸色发紫 "
        "透不过气 高烧抽搐"
    )
)
# Critical only when a vulnerable person is concerned: a missing old man or child.
CRITICAL_IF_VULNERABLE = _w("没回来 不见了 找不到了 找不着了 走丢")
