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
            "要生了 快生了 就来生 要来生 肚痛得厉害 肚痛到很厉害 肚痛到好厉害 "
            "肚子疼得厉害 宫缩 脸色发紫 嘴唇发紫 心跳停 没呼吸 没有呼吸 "
            "心梗 脑梗 中风了 想不开 不想活 自杀 轻生 寻死 跳楼 割腕 喝农药 "
            "误吞 吞了 误服 误食 卡住喉咙 卡喉咙 卡在喉咙 卡在喉咙里 卡在气管 卡住气管 "
            "噎住 噎到了 烫伤严重 被咬 "
            "高烧抽搐 休克 "
            # stroke, heart, breathing, collapse (Mandarin and Cantonese-influenced phrasings)
            "半边身子动不了 半边身体动不了 半边身子不能动 半边身子没知觉 半边身没力 "
            "一边手脚动不了 一边身子动不了 口眼歪斜 嘴歪了 嘴巴歪了 嘴角歪了 脑出血 脑溢血 "
            "胸口好痛 胸口很痛 心口好痛 心口很痛 胸口好疼 胸口很疼 心口好疼 "
            "心脏骤停 心跳没了 心脏病发作 心脏病犯了 心绞痛 胸口剧痛 胸口压着痛 "
            "喘唔到气 透唔到气 唞唔到气 憋紫了 憋得发紫 呼吸不了 不能呼吸 吸不上气 "
            "晕死过去 倒在地上起不来 倒地不起 倒在地上不动 倒在厕所 倒在浴室 晕低 晕咗 "
            "昏过去 人事不省 失去意识 没了知觉 没知觉 翻白眼 冇反应 "
            "人没反应 人没有反应 一点反应都没有 发羊吊 抽风 "
            # bleeding, burns, poisoning, allergy, bites
            "流了好多血 流好多血 流了很多血 流很多血 血流不止 出了好多血 满身是血 满脸是血 "
            "一地的血 大量出血 吐血 头破血流 大面积烫伤 大面积烧伤 全身烫伤 严重烫伤 严重烧伤 "
            "烧伤严重 身上着火 中毒 服毒 毒蘑菇 吃了老鼠药 喉咙肿 过敏性休克 被蛇咬 蛇咬了 毒蛇咬 "
            # suicide and self-harm
            "割脉 割手腕 自残 上吊 跳河 跳江 跳海 跳水库 烧炭 寻短见 了结自己 结束生命 "
            "唔想活 不想活了 想死了 遗言 交代后事 往下跳 跳下去 "
            # labour
            "阵痛 一阵一阵痛 一阵一阵疼 一阵一阵的痛 一阵一阵的疼"
        ),
        "medical",
    ),
    **dict.fromkeys(
        _w(
            "煤气泄漏 燃气泄漏 煤气泄露 燃气泄露 漏气了 煤气味 燃气味 着火 起火 失火 "
            "火灾 冒烟 烧起来 走失 走丢 失踪 找不到人了 人不见了 触电 溺水 掉进水 "
            "拿着刀 拿刀 动刀 被困 困在电梯 打人 持刀 砍人 家暴 打老婆 打老公 喊救命 救命啊 "
            # violence and threats
            "拿菜刀 拿着菜刀 拎着刀 拎刀 揸刀 提着刀 举着刀 挥刀 斩人 捅人 被捅 捅伤 刺伤 被砍 "
            "砍伤 要杀 杀人 要弄死 打死人 掐脖子 往死里打 打群架 群殴 绑架 劫持 抢劫 放火 纵火 "
            "同归于尽 报复社会 打死我 要打死 要杀了 杀了我 弄死我 砍死 "
            # trapped, drowning, electrocution, falls, traffic, collapse
            "电梯困人 电梯困住人 电梯困住了 电梯里困着 困住了 被困住 "
            "压着人 压住人 压到人 埋了人 被埋 压在下面 埋在下面 "
            "卡着出不来 卡在里面出不来 被夹住 夹住了 "
            "掉进河 掉到河里 掉进塘 掉进水塘 掉进鱼塘 掉进池塘 掉进水库 掉到水里 掉进井 "
            "电梯掉下 电梯坠落 电梯往下掉 电梯失控 电梯下坠 沉下去没上来 没浮上来 "
            "落水 跌落水 跌落河 遇溺 被水冲走 冲走了 快淹死 淹死 在水里挣扎 "
            "被电到 电到人 被电击 电亲 坠楼 高空坠落 从楼上掉下来 从楼上摔下来 从楼顶掉 "
            "掉下楼 被车撞 车撞人 撞到人 撞了人 被撞倒 被车压 翻车 车翻了 翻到沟里 "
            "压着工人 埋着人 "
            # fire and gas
            "好大的火 很大的火 冒出火 火光冲天 着大火 起大火 "
            "火烧到 烧过来了 越烧越大 火很大 火好大 火势 山火 火烛 烧着了 爆炸 "
            "有明火 看到明火 看见明火 见到明火 冒明火 明火很大 浓烟滚滚 "
            "漏煤气 煤气漏 天然气泄漏 液化气泄漏 天然气味 液化气味 闻到煤气 闻到燃气 "
            "一氧化碳"
        ),
        "safety",
    ),
}
# Need terms that are urgent whoever is speaking (the need itself is basic and unmet).
NEED_STRONG: dict[str, str] = {
    **dict.fromkeys(
        _w("断药 停药 药断了 没药吃 没有药吃 胰岛素没了 胰岛素用完 制氧机坏 氧气用完 氧气瓶没"),
        "medical",
    ),
    **dict.fromkeys(
        _w(
            "断粮 没饭吃 没有饭吃 没东西吃 没吃的了 没有吃的了 饿了两天 饿了一天 "
            "饿肚子 奶粉没了 没奶粉 奶粉喝完 奶粉吃完 没有奶粉 断顿 冇嘢食 冇米 "
            "饿了好几天 饿了几天 奶粉快没了 尿不湿快没了 纸尿裤没了 尿片没了"
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
            "没吃的 没有吃的 吃的快没了 买不到菜 没米 缺粮 缺吃的 不够吃 "
            "尿不湿没了 没人照顾 无人照顾 没人管 联系不上 一个人在家 独自在家 没人送饭 "
            "没什么吃的 没啥吃的 没有什么吃的 米缸见底 冰箱空了 冰箱已经空了 吃的都吃完 "
            "一直喊饿 喊饿 饿着 没人照看 没人看着 没人理 起不了床 "
            "护工进不来 护工来不了 保姆进不来 保姆来不了 没人帮她换 没人帮他换 没人喂 "
            "没水喝 没有水喝 没水用 停了两天水 停了几天水 停水两天 停水几天 挑不了水 担不了水"
        ),
        "supplies",
    ),
}
# term -> flag; these words name one person (我奶奶, 宝宝, 怀孕 …).
VULN_SPECIFIC: dict[str, str] = {
    **dict.fromkeys(
        _w(
            "奶奶 爷爷 外婆 外公 姥姥 姥爷 阿婆 阿公 阿嫲 阿爷 老人家 家里老人 "
            "我家老人 老母亲 老父亲 老妈 老爸 老伴 五保户 老夫妻 老夫妇 老两公婆 "
            "老年痴呆 阿尔茨海默 失智 老大爷 老奶奶 老太太 老爷子 老阿姨 大爷 大妈 婆婆 公公 "
            "阿伯 老伯 伯公 太婆 太公 老太 老头 老汉 阿嬷 七老八十 两老 老两口 老俩口"
        ),
        "elderly",
    ),
    **dict.fromkeys(
        _w(
            "宝宝 婴儿 小孩 孩子 小朋友 新生儿 奶粉 幼儿 小孙子 小孙女 孙子 孙女 "
            "尿不湿 BB 娃 小宝 月大 上幼儿园 读小学 三胞胎 双胞胎 细路 细佬仔 孙仔 外孙 "
            "囡囡 幼童 刚出生 满月 纸尿裤"
        ),
        "child",
    ),
    **dict.fromkeys(
        _w(
            "高血压 糖尿病 心脏病 尿毒症 透析 血透 化疗 放疗 癌症 肿瘤 白血病 哮喘 "
            "发烧 发热 高烧 抑郁 精神病 精神分裂 术后 刚做完手术 中风 癫痫 肾衰 "
            "生病 病了 胰岛素 降压药 降糖药 华法林 二甲双胍 抗凝药 速效救心丸 硝酸甘油 "
            "发高烧 高烧不退 烧到39 烧到40 心梗 脑梗 "
            "重病 住院 病重 肺病 甲亢 乙肝 痛风 骨折 摔伤 咳血 肺不好 心脏不好 肾不好 冠心病 "
            "帕金森 心衰 肾病 肝硬化 慢阻肺 肺炎 水痘 手足口 拉肚子 腹泻 上吐下泻 癌 痴呆 认知障碍"
        ),
        "sick",
    ),
    **dict.fromkeys(
        _w(
            "残疾 瘫痪 瘫在床 卧床 偏瘫 盲人 瞎子 失明 "
            "眼睛看不见 眼睛看不到 看不见东西 眼瞎 聋哑 耳聋 "
            "听不见 耳朵聋 耳朵背 耳背 坐轮椅 轮椅 行动不便 行动不方便 截肢 智障 智力障碍 "
            "腿脚不便 腿脚不方便 "
            "腿脚不好 "
            "腿脚不灵 走不了路 不能走路 拄拐 拐杖 下不了床 残疾证 残联 截瘫 半身不遂 "
            "植物人 脑瘫 瘸 跛脚"
        ),
        "disabled",
    ),
    **dict.fromkeys(
        _w(
            "怀孕 怀着 待产 临产 产检 预产期 产妇 坐月子 刚生完 哺乳期 见红 羊水 "
            "破水 要生了 快生了 宫缩 保胎 孕晚期 孕早期 孕期 大肚婆 羊水破"
        ),
        "pregnant",
    ),
}
# A second flag for words that name two at once: dementia is old age and an illness.
VULN_ALSO: dict[str, str] = dict.fromkeys(_w("老年痴呆 阿尔茨海默 失智"), "sick")
# term -> flag; these words name a group and flag only when anchored to a person.
VULN_GENERIC: dict[str, str] = {
    **dict.fromkeys(
        _w("老人 老年人 长者 高龄 老年 独居老人 孤寡老人 空巢老人 年纪大 上了年纪 年迈 年事已高"),
        "elderly",
    ),
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
TREATMENT = _w("透析 洗肾 化疗 放疗 产检 复诊 复查 打胰岛素 血透 打针")
BLOCKED = _w(
    "去不了 出不去 不让出 不给出 被拦 拦住 进不去 没法去 没办法去 无法去 "
    "耽误 被征用 不给过 不让过 拦着 不让走 不给走 "
    "不能去 停了 断了 做不了 过不去 不放行 出不了 不给进 不让进 进不了 没来"
)
# Lower the urgency by one level.
LOWER = _w(
    "不严重 不太严重 不要紧 没大碍 没什么大碍 已经好了 已经好转 已经送医 "
    "已送医 已经送到医院 已经送去医院 120已经 救护车已经 情况稳定 暂时稳定"
)
# The danger is over: back to normal.
RESOLVED = _w(
    "火已经灭 已经灭了 已经扑灭 已经找到 找到了 已经没事 已经好了 已经醒了 没人受伤 "
    "救上来了 救出了 已经处理好 已经解决 已经救出来 救出来了 "
    " 已经被救 人已经出来了 已经抢救过来 已经回来了 已经回家了 人没事 人都没事 "
    "找回来了 送回来了 平安回来 平安回家 人找到了 不是来求助 "
    "现在好了 现在没事了 呼吸正常 已经出院 出院了 放了支架 "
    # Cantonese after normalize(): 而家冇事喇 -> 现在没事喇, 揾返了 -> 找返了
    "没事喇 找返了 已经找返"
)
# Thanks and praise; with a RETROSPECT cue the appeal is about a matter already over (找到送回来了，
# 人没事，想谢谢他们) and is never raised.
GRATITUDE = _w(
    "谢谢你们 谢谢他们 谢谢她们 感谢你们 感谢他们 想谢谢 想感谢 要感谢 真的谢谢 真的很感谢 "
    "非常感谢 特别感谢 十分感谢 表扬 点赞 锦旗 感谢信 值得表扬 真是谢谢 多谢你们 多谢他们"
)
RETROSPECT = _w(
    "前天 前两天 前几天 昨天 上次 上个星期 上周 后来 当时 之前 那天 那次 已经 结果 "
    "送回来 找到 送到 不是来求助 送上门了 就送了 已经送 送了米 好快就"
)
# A matter of work or commuting under the lockdown: no basic need, so the model does not raise it.
WORK = _w("上班 值班 复工 开工 返岗 到岗 旷工 扣工资 通勤")
# Neighbourhood nuisances (garbage, street lights, noise, smells): no life at risk and no basic
# need, so the model does not raise them — "垃圾站三天没人清运，快来人啊" is no emergency — and a
# child named as disturbed by them is not the person the appeal is about. The rules still raise
# a real danger (a fire at the garbage station, a gas smell).
NUISANCE = _w(
    "垃圾站 垃圾清运 没人清运 没有清运 垃圾没人 路灯 噪音 噪声 广场舞 狗叫 犬吠 乱停车 违章停车"
)
# A fever high enough that a sick child needs care now (TAXONOMY: urgent), unless the words say
# it is over (退了, 好了) or long past (上周).
FEVER_OVER_RE = (
    r"退了|退烧了|退烧以后|降下来|降了|好了|没事|出院|上周|上星期|上个?礼拜|前几天|前天|已经"
    r"|现在3[5-7]"
)
_DEGREES = r"(?:3[89]|4[0-2])(?:\.\d)?\s*(?:度|℃)"
HIGH_FEVER_RE = rf"(?:高烧|高热|发烧到?\s*{_DEGREES}|{_DEGREES})"
# Longer words that contain a lexicon term without meaning it (发热门诊 is no sick person).
MASKS = _w(
    "发热门诊 发烧门诊 儿童医院 妇幼保健院 打不着火 点不着火 火车 慢性病的药 小孩子气 "
    "气得说不出话 气得讲不出话 气到说不出话 气得话都说不出 "
    "防溺水 预防溺水 溺水急救 急救培训 跳楼机 跳楼价 跳楼甩卖 跳楼大甩卖 抽烟 抽血 "
    "老人机 老年机 老人手机 腿抽筋 脚抽筋 小腿抽筋 抽筋了一下 跳槽 跳舞 广场舞 "
    "被困在外地 被困外地 被困在老家 被困在学校 被困在小区 被困在酒店 被困在广州 被困在深圳 "
    "被困在家 被车撞歪 被车撞坏 被车撞断 被车撞烂 满月酒 火烛小心 中毒了一样 吃完了饭 吃完了再"
)
# Rumours: danger words in these sentences are not emergencies.
# Hearsay told before the matter ("听说…", "群里说…") covers what follows its cue; Cantonese
# hearsay and what a screen said (news, dramas, live streams) count too — what it said, not that
# someone watched it: "看新闻时突然倒地" is an emergency.
HEARSAY_LEAD = _w(
    "听说 据说 网传 网上说 网上传 有人说 朋友圈说 群里说 听讲 听闻 "
    "新闻里说 新闻说 新闻讲 新闻报道 看新闻讲 看新闻说 电视上说 电视里说 电视新闻讲 电视新闻说 "
    "电视剧里 电影里 视频里说 直播里 主播说 刷到"
)
# Cues that judge the whole sentence a rumour.
HEARSAY = HEARSAY_LEAD + _w("传言 谣言 是真的吗 是不是真的 真的假的 是不是真")
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
        "透不过气 高烧抽搐 半边身子动不了 半边身体动不了 半边身子不能动 半边身子没知觉 "
        "半边身没力 一边手脚动不了 一边身子动不了 口眼歪斜 嘴歪了 嘴巴歪了 嘴角歪了 脑出血 "
        "脑溢血 心脏骤停 心跳没了 心脏病发作 心脏病犯了 心绞痛 胸口剧痛 胸口压着痛 喘唔到气 "
        "透唔到气 唞唔到气 憋紫了 憋得发紫 呼吸不了 不能呼吸 吸不上气 晕死过去 "
        "倒在地上起不来 倒地不起 倒在地上不动 倒在厕所 倒在浴室 晕低 晕咗 昏过去 人事不省 "
        "失去意识 没了知觉 "
        "没知觉 翻白眼 发羊吊 抽风 流了好多血 流好多血 流了很多血 流很多血 血流不止 "
        "出了好多血 满身是血 满脸是血 大量出血 吐血 头破血流 大面积烫伤 大面积烧伤 全身烫伤 "
        "严重烫伤 严重烧伤 烧伤严重 过敏性休克 喉咙肿 胸口好痛 胸口很痛 心口好痛 心口很痛 "
        "胸口好疼 胸口很疼 心口好疼"
    )
)
# Critical only when a vulnerable person is concerned: a missing old man or child.
CRITICAL_IF_VULNERABLE = _w("没回来 不见了 找不到了 找不着了 走丢 走散了 走散 还没找到 都没找到")
# Danger signs that are not enough alone: critical with an acute cue in their sentence (and no
# cue of a long-standing state), with a second sign, or with a minor sign anywhere in the appeal
# (突然胸口闷; 胸口闷 + 冒冷汗).
SIGN: dict[str, str] = dict.fromkeys(
    _w(
        "胸口闷 胸闷 心口闷 胸口不舒服 心口不舒服 手脚发麻 手脚麻 半边发麻 一边手发麻 "
        "说不出话 讲不出话 说话不清 话也说不清 话都说不清 讲话不清 说话含糊 口齿不清 "
        "讲唔到嘢 讲唔出 心口翳 心口好翳 胸口翳 含含糊糊 含糊不清 "
        "嘴歪 迷迷糊糊 神志不清 意识模糊 意识不清 不怎么理人 眼神发直 "
        "头很痛 头痛得厉害 剧烈头痛 疼得打滚 痛得打滚 痛到打滚"
    ),
    "medical",
)
# Events that are critical only with a second sign or a minor sign in the appeal (摔下来 + 流血,
# 车祸 + 有人受伤, 塌了 + 有人在里面): alone they are often harmless.
SIGN_EVENT: dict[str, str] = {
    **dict.fromkeys(
        _w(
            "摔下来 摔倒 滑倒 绊倒 跌跤 摔跤 摔了一跤 跌了一跤 "
            "跌倒 跌低 滚下楼梯 头磕 磕到头 撞到头 头撞 磕破 烫伤 烧伤 被烫 "
            "开水烫 辣亲 淥亲 过敏 嘴唇肿 脸肿起来"
        ),
        "medical",
    ),
    **dict.fromkeys(
        _w(
            "车祸 撞车 出车祸 倒塌 坍塌 塌了 塌下来 塌方 滑坡 泥石流 房子倒了 墙倒了 "
            "好大的烟 很大的烟 好多烟 烟好大 烟很大 冒浓烟 冒黑烟 浓烟"
        ),
        "safety",
    ),
}
# Signs that only add to another sign (never alone, never with an acute cue alone).
SIGN_MINOR = _w(
    "冷汗 冒冷汗 出冷汗 一头冷汗 一身冷汗 满头大汗 一直吐 呕吐 吐了 头晕 脸色发白 脸色苍白 "
    "嘴唇发白 手脚冰凉 喘气 气喘 气促 呼吸急促 呼吸费劲 坐都坐不住 站不稳 站不起来 起不来 "
    "动不了 浑身无力 全身无力 一动不动 受伤 伤了 躺在地上 躺在路上 有人在里面 一直在喊 "
    "全身起疹 全身红肿 憋气 流血 出血 流了血 里面还有人 里面有人 还有人在里面 人还在里面 "
    "还有人没出来 人没出来"
)
# Cues that the danger is happening now.
ACUTE = _w("突然 忽然 刚才 刚刚 一下子 猛地 快来 救命 快派 赶紧 马上 快点 快叫 现在人")
# Past events: a danger told as history ("去年厨房着火过") is no emergency now.
PAST = _w("去年 上次 上个月 前年 那次 曾经 上个星期 上周 上星期")
# Habitual or reported events ("经常出现电梯困人") are no emergency happening now.
HABITUAL = _w("经常 频发 多次 时常 屡次 每次 常常 总是")
# "被困" during a lockdown is no one trapped in danger: these in its sentence cancel it.
TRAPPED = frozenset(_w("被困 困住了 被困住"))
LOCKDOWN = _w("天 个月 星期 封 隔离 外地 回不 管控 小区")
# Cues of a long-standing state: a sign in such a sentence is history, not an emergency.
CHRONIC = _w("经常 老是 好几年 多年 以前 平时 有时候 偶尔 后遗症 一直都 常年 几年了 几个月了")
# Before a safety term these make it a risk, not an event ("容易着火", "会不会爆炸").
RISK = _w("会 容易 可能 怕 担心 防止 小心 以防 避免 预防 隐患")
# Medicines taken now and then: running out of them is no unmet basic need by itself.
MINOR_MEDS = _w("感冒 退烧 止咳 消炎 胃 止痛 维生素 眼 创可贴 板蓝根 连花清瘟 布洛芬 保健")
# A pet or livestock before an illness word: nobody is sick.
PETS = _w("宠物 狗 猫 兔子 仓鼠 鹦鹉 兽医")
# A "child" who is grown up (在外地上大学).
GROWN = _w("大学 大学生 研究生 上班 工作了 打工 结婚 成年")
# Child words that say nothing of age; a GROWN cue in the sentence cancels them.
CHILD_KIN = frozenset(_w("孩子 小孩 娃"))
