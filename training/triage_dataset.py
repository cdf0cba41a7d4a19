"""Build the project's own labelled appeals (``data/triage/train.jsonl`` and ``heldout.jsonl``).

Written for this project in the way callers speak: each template line below is one kind of appeal
with its labels, and slots (who, what medicine, where) are filled from pools written here and from
the city's real place names. The held-out file is made of *whole templates* that training never
sees (every fifth template of each category), so held-out figures measure wording the model has
not met, not just new slot values.

Run ``python -m training.triage_dataset`` from the repository root to rebuild both files
(deterministic, seeded). Training data lives outside the importable package: ``assess`` needs
only the model file (``hotline/triage/data/default_model.npz``).
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

from hotline.triage.gazetteer import Gazetteer

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "triage"
# What the shipped model (hotline/triage/data/default_model.npz) is trained on, in order: the
# templated appeals, the blind sets after their first score, and the written corpora (one file
# per writer; see docs/TRIAGE.md). heldout.jsonl, fresh.jsonl and the blind sets not listed
# are never trained on.
SHIPPED_TRAINING = (
    "train.jsonl",
    "blind.jsonl",
    *(f"blind{n}.jsonl" for n in range(2, 9)),
    *(f"written{n}.jsonl" for n in range(1, 13)),
)
VARIANTS = 4
HELDOUT_EVERY = 5

# Slot pools: (text, vulnerable flags it implies).
SLOTS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "OLD": [
        ("我奶奶", ("elderly",)),
        ("我外婆今年八十多岁了，她", ("elderly",)),
        ("家里的老人", ("elderly",)),
        ("我爸七十六岁了，他", ("elderly",)),
        ("隔壁的阿婆", ("elderly",)),
        ("我老母亲今年83岁，", ("elderly",)),
        ("我们村有个独居老人", ("elderly",)),
        ("我外公", ("elderly",)),
        ("楼上的老大爷", ("elderly",)),
        ("我家老人家", ("elderly",)),
    ],
    "KID": [
        ("我家宝宝", ("child",)),
        ("我儿子才3岁，他", ("child",)),
        ("我女儿8个月大，", ("child",)),
        ("我家小孩", ("child",)),
        ("我的小孙子", ("child",)),
        ("家里两岁的孩子", ("child",)),
        ("我家刚出生的婴儿", ("child",)),
    ],
    "SICK": [
        ("我爸有高血压，", ("sick",)),
        ("我老公是糖尿病人，", ("sick",)),
        ("我妈刚做完手术，", ("sick",)),
        ("我哥有心脏病，", ("sick",)),
        ("我姐有哮喘，", ("sick",)),
        ("我叔叔是癌症病人，", ("sick",)),
    ],
    "DIS": [
        ("我弟弟是残疾人，坐轮椅，", ("disabled",)),
        ("我舅舅瘫痪在床，", ("disabled",)),
        ("我邻居是个盲人，", ("disabled",)),
        ("我家有个行动不便的残疾人，", ("disabled",)),
        ("我表哥是聋哑人，", ("disabled",)),
    ],
    "PREG": [
        ("我老婆怀孕七个月了，", ("pregnant",)),
        ("我怀孕五个多月了，", ("pregnant",)),
        ("我儿媳妇快到预产期了，", ("pregnant",)),
        ("我老婆怀孕了，", ("pregnant",)),
        ("我是孕妇，怀孕32周，", ("pregnant",)),
    ],
    "DRUG": [
        (d, ("sick",))
        for d in ("降压药", "胰岛素", "降糖药", "抗癫痫的药", "心脏病的药", "哮喘喷雾")
    ],
    "FOOD": [(f, ()) for f in ("米", "菜", "吃的", "油和米", "青菜", "肉")],
    "SHOP": [(s, ()) for s in ("超市", "药店", "菜市场", "小卖部", "水果店", "便利店")],
    "GOODS": [(g, ()) for g in ("青菜", "猪肉", "大米", "鸡蛋", "口罩", "退烧药", "抗原试剂")],
    "DAYS": [(d, ()) for d in ("两天", "三天", "一天", "好几天", "四天")],
    "COLOR": [(c, ()) for c in ("黄码", "红码", "黄色", "灰码")],
    "COMPANY": [(c, ()) for c in ("工厂", "公司", "厂里", "老板", "单位")],
    "PHONE": [(p, ()) for p in ("13812345678", "13926681234", "15013572468", "18666889900")],
    # Openers callers use before saying anything (fourth batch only).
    "HI": [
        (h, ()) for h in ("", "喂，你好，", "你好，", "那个，", "麻烦一下，", "喂喂，我说一下，")
    ],
}

# category|appeal_type|urgency|vulnerable(,)|text ; vulnerable also grows with the slots used.
TEMPLATES = """
medical|help|critical|sick|{OLD}突然喘不上气，嘴唇发紫，我们小区封着出不去，求求你们快派车
medical|help|critical|sick|{OLD}在家里晕倒了，叫不醒，120一直打不通，怎么办啊
medical|help|critical|pregnant|{PREG}刚才见红了，肚子一阵一阵疼，小区不让出，救命
medical|help|critical|pregnant|我老婆羊水破了，要生了，卡口的人不让车出去，快帮帮我们
medical|help|critical||{KID}误吞了一颗纽扣电池，现在一直哭，我们在封控区出不去
medical|help|critical|sick|我老公胸口痛得厉害，一头冷汗，我们是隔离户，救护车多久能来
medical|help|critical||我朋友说他不想活了，发了遗书一样的消息，现在联系不上，他住在隔离酒店
medical|help|critical||{SICK}现在胸口疼，呼吸困难，家里被封了，急需送医院
medical|help|critical|sick|{KID}高烧抽搐，口吐白沫，我们是管控区的，求帮忙联系救护车
medical|help|critical||我邻居喝农药了，人已经没反应，我们村封着，快来人
medical|help|critical|sick|{OLD}摔倒后昏迷了，头上流血不止，家里只有我一个人
medical|help|urgent||{OLD}的{DRUG}吃完了，已经断药{DAYS}，封控出不去买，能不能帮忙送药
medical|help|urgent|sick|我爸要做透析，每周三次，现在小区封了去不了医院，已经耽误一次了
medical|help|urgent|sick|我妈在做化疗，下一次化疗就在后天，可是我们这里是封控区出不去
medical|help|urgent||{PREG}要去做产检，小区不让出，医院那边说不能再拖了
medical|help|urgent|sick|{KID}发高烧两天了，一直39度多，我们被隔离在家，去不了医院
medical|help|urgent||{SICK}{DRUG}快吃完了，药店关门买不到药，我们又出不去
medical|help|urgent|sick|{DIS}他的药没了，家里没人能出门去拿药，请帮帮忙
medical|help|urgent|sick|{OLD}有糖尿病，胰岛素没了，封控在家，求助
medical|inquiry|normal||请问封控期间如果需要去医院看病，要办什么手续
medical|inquiry|normal||请问现在发烧门诊在哪家医院，要不要先做核酸
medical|inquiry|normal||想问一下慢性病的药能不能在网上开，然后送到家
medical|inquiry|normal|pregnant|{PREG}想问下产检要不要48小时核酸证明
medical|inquiry|normal|child,sick|孩子发烧了，不严重，就是想问问附近哪家诊所开门
medical|inquiry|normal||请问孕妇打疫苗有什么要求，哪里可以打
medical|inquiry|normal|elderly|如果家里老人晚上突发疾病，封控区要打哪个电话
medical|complaint|normal||投诉{SHOP}附近的诊所，封控期间看个感冒收了三百多块
medical|complaint|normal||医院发热门诊排了五个小时都没人管，态度很差，我要投诉
medical|suggestion|normal||建议封控区每个小区安排一个医生，方便有病的居民看病
medical|praise|normal||表扬人民医院的医护人员，半夜给我们隔离户送药，非常感谢
supplies|help|urgent||{OLD}一个人在家，家里已经没吃的了，封控{DAYS}了没人送饭
supplies|help|urgent||{DIS}家里断粮了，他自己出不了门，已经饿了一天
supplies|help|urgent|child|我家宝宝的奶粉没了，封控出不去买，孩子饿得一直哭
supplies|help|urgent||{KID}的尿不湿没了，奶粉也快喝完，我们是隔离户，求帮忙
supplies|help|urgent||{OLD}眼睛不好，一个人住，封控后没人照顾，家里没米了
supplies|help|urgent||我们一家被隔离，{OLD}没饭吃了，社区电话一直打不通
supplies|help|normal||我们小区封控{DAYS}了，家里没菜了，什么时候能买菜
supplies|help|normal||我一个人在出租屋隔离，家里{FOOD}快吃完了，社区能不能帮忙买点
supplies|help|normal||封控区团购的菜一直没送到，家里只剩一点{FOOD}了
supplies|inquiry|normal||请问封控期间怎么买菜，社区有没有统一配送
supplies|inquiry|normal||想问一下保供的菜什么时候送，要去哪里登记
supplies|inquiry|normal||请问老年人可以让社区代买生活物资吗，怎么申请
supplies|complaint|normal||社区发的物资分配不公平，有的人家领了三份，我们一份都没有
supplies|complaint|normal||投诉团购的菜都是烂的，价格还贵，没人管
supplies|suggestion|normal||建议社区把物资配送时间提前通知，不然老人都在楼下等
supplies|praise|normal||感谢社区志愿者每天给我们送菜，辛苦了，要表扬他们
health_code|help|normal||我的健康码突然变成{COLOR}了，可是我一直在家没出门，帮我看看怎么回事
health_code|help|normal||健康码一直弹窗，进不了超市，也上不了班，怎么处理
health_code|inquiry|normal||请问健康码变{COLOR}要怎么转绿，要做几次核酸
health_code|inquiry|normal||行程卡带星是什么意思，会不会影响出行
health_code|inquiry|normal||我没有发烧也没去过风险区，为什么健康码变{COLOR}了
health_code|inquiry|normal||请问老人没有智能手机，健康码怎么办
health_code|inquiry|normal||粤康码显示灰码，要怎么申诉恢复
health_code|complaint|normal||我核酸是阴性，健康码却一直是{COLOR}，打了好几次电话都没人解决，我要投诉
health_code|complaint|normal||赋码太随意了，路过一下就被赋黄码，工作也没了
health_code|help|normal||我的健康码被误赋红码，已经三天了，单位不让上班，请帮忙核实
health_code|suggestion|normal||建议健康码申诉可以在网上直接办理，不要让人来回跑
testing|inquiry|normal||请问{P}的核酸采样点在哪里，几点开始
testing|inquiry|normal||请问老年人核酸点在哪，有没有老人专用的通道
testing|inquiry|normal||核酸结果多久能出来，我昨天做的现在还查不到
testing|inquiry|normal||请问今天还要做全员核酸吗，在哪个点做
testing|inquiry|normal||请问混管阳性了是什么意思，要不要隔离
testing|help|normal||我做了核酸三天了，结果还是查不到，上班要用
testing|help|normal|disabled|{OLD}卧床不起，没办法下楼做核酸，能不能安排上门采样
testing|help|normal||{DIS}去不了采样点，请问能不能派人上门做核酸
testing|complaint|normal||采样点排队三个小时，工作人员还在聊天，太慢了，我要投诉
testing|complaint|normal||核酸检测点收费，说不是本地户口要交钱，这合理吗
testing|complaint|normal||做核酸的地方人挤人，没有一米线，也没人管
testing|report|normal||举报有人代做核酸，收钱帮别人做
testing|suggestion|normal||建议核酸采样点晚上多开几个小时，上班族下班后来不及
testing|praise|normal||表扬采样点的医护人员，下大雨还坚持给我们做核酸
control|inquiry|normal||请问我们这里是封控区还是管控区，什么时候解封
control|inquiry|normal||出入卡怎么申请，一家人只能有一张吗
control|inquiry|normal||请问居家隔离期间可以下楼扔垃圾吗
control|inquiry|normal||听说明天要全城静默，是真的吗
control|inquiry|normal||网上说我们镇有人跳楼了，是不是真的，到底怎么回事
control|inquiry|normal||听说隔离酒店着火了，是谣言吗
control|inquiry|normal||从外地回来要隔离几天，是居家还是集中隔离
control|complaint|normal||卡口的工作人员态度恶劣，骂人还推人，我要投诉
control|complaint|normal||我们小区都解封了，物业还不让出门，这是乱来
control|complaint|normal||隔离酒店的饭菜都是冷的，还不让开窗，环境太差了
control|report|normal||举报有人偷偷开麻将馆聚集，十几个人在打牌
control|report|normal||举报隔壁邻居从高风险区回来没有报备，也不隔离
control|report|normal||举报有饭店偷偷营业，晚上很多人在里面吃饭
control|suggestion|normal||建议封控区的通知提前一天发，不要半夜突然封
control|praise|normal||点赞我们村的网格员，封村这些天每天挨家挨户问情况
travel|inquiry|normal||请问现在能不能离开茂名，去广州要什么证明
travel|inquiry|normal||外地回茂名需要提前报备吗，要做几次核酸
travel|inquiry|normal||货车通行证在哪里办理，要准备什么材料
travel|inquiry|normal||请问从{P}去市区的公交车恢复了没有
travel|help|normal||我是货车司机，车上拉着{GOODS}，在卡口被拦了一天不让过
travel|help|normal|child|我在外地出差回不来，家里只有老婆孩子，能不能帮我办个通行证
travel|help|urgent|sick|{OLD}在外地住院，我要去照顾，但是出不去，老人一个人没人照顾
travel|complaint|normal||卡口不让我回家，我证明都齐了，他们说上面没通知
travel|complaint|normal||通行证申请了三天都没人审核，车上的货都要坏了
travel|suggestion|normal||建议货车通行证可以在网上办，不用来回跑
market|complaint|normal||{SHOP}的{GOODS}涨价太离谱了，平时几块钱现在卖几十，坐地起价
market|report|normal||举报{SHOP}哄抬物价，{GOODS}一斤要二十多
market|report|normal||举报有人囤积口罩高价卖，价格翻了好几倍
market|inquiry|normal||请问哪里能买到{GOODS}，附近的{SHOP}都卖光了
market|inquiry|normal||请问现在{SHOP}可以开门营业吗
market|complaint|normal||药店退烧药全部断货，问了好几家都说没有
market|suggestion|normal||建议政府对{GOODS}限价，不然老百姓买不起
market|help|normal||我开的{SHOP}被要求关门，可是店里的{GOODS}要坏了，能不能让我处理一下
living|help|normal||我们小区停水{DAYS}了，物业说不知道什么时候来水
living|help|urgent||{OLD}家停电了，一个人在家，天黑了黑漆漆的，联系不上家人
living|complaint|normal||楼下的垃圾{DAYS}没人收了，臭得不行，物业不管不问
living|complaint|normal||快递都堆在小区门口，丢了好几件，物业也不负责
living|inquiry|normal||请问封控期间快递还能不能送进小区
living|inquiry|normal||请问停电是什么原因，什么时候恢复供电
living|help|normal||家里煤气用完了，封控出不去换，能不能帮忙联系送气
living|complaint|normal||物业借着封控乱收费，还不让业主下楼
living|suggestion|normal||建议小区的快递统一消毒后再送上门
living|praise|normal||感谢供电局的师傅，半夜抢修线路，值得表扬
study_work|inquiry|normal||请问学校什么时候开学，网课要上到什么时候
study_work|inquiry|normal||请问封控期间工厂能不能复工，要什么手续
study_work|inquiry|normal|child|孩子明年中考，请问考试会不会推迟
study_work|complaint|normal||{COMPANY}说疫情期间不上班就不发工资，还扣我们工资
study_work|complaint|normal||{COMPANY}拖欠工资三个月了，老板说疫情没钱
study_work|help|normal||我被隔离了回不了{COMPANY}，老板说要开除我，能不能帮我开个证明
study_work|report|normal||举报{COMPANY}强迫工人来上班，不做核酸也不戴口罩
study_work|suggestion|normal|child|建议网课不要排那么多，孩子眼睛受不了
study_work|help|normal||我是大学生，学校放假回不了家，在学校附近没地方住
safety|help|critical||楼下着火了，烟很大，我们被封在楼里下不去
safety|help|critical||我闻到很浓的煤气味，好像是隔壁煤气泄漏，敲门没人应
safety|help|critical|elderly,sick|{OLD}有老年痴呆，早上出门走失了，到现在还没找到
safety|help|critical|child|我家孩子在小区里走丢了，找了一个小时都没找到
safety|help|critical||有人被困在电梯里一个多小时了，物业电话打不通
safety|help|critical||隔壁有人打老婆，喊救命，我们是封控区不敢出去
safety|help|critical||有人爬到楼顶说要跳楼，下面很多人在劝
safety|report|normal||举报小区里有人乱拉电线充电瓶车，很危险
safety|inquiry|normal||请问家里煤气灶打不着火是什么原因，要找谁修
safety|help|normal||小区消防通道被封控的铁皮挡住了，万一着火怎么办
safety|suggestion|normal||建议隔离点多放一些灭火器，注意用电安全
safety|help|normal||昨天厨房着火了，火已经灭了，没人受伤，想问保险怎么处理
other|inquiry|normal||请问疫情期间个体户贷款能不能延期还
other|inquiry|normal||我想报名当志愿者，请问去哪里报名
other|help|normal||因为疫情生意做不下去了，有没有什么补助可以申请
other|praise|normal||我要表扬12345的接线员，耐心帮我解决了问题，谢谢你们
other|praise|normal||非常感谢志愿者小陈，冒雨给我们送药送菜，送一面锦旗表扬他
other|suggestion|normal||建议政府对受疫情影响的小店减免房租
other|complaint|normal||12345电话打了一上午都打不进去，太难打了
other|inquiry|normal||请问疫情期间结婚登记还能办吗
other|help|normal||我的宠物被关在出租屋里好几天了，能不能让人进去喂一下
other|inquiry|normal||请问社保卡丢了，封控期间怎么补办
medical|help|critical|sick|喂喂，{OLD}中风了，嘴巴歪了说不出话，我们村口被封了车出不去
medical|help|critical||我女朋友吃了一整瓶安眠药，现在叫不应，我们在隔离酒店812房
medical|help|urgent||{OLD}的假牙坏了吃不了东西，{DRUG}也快没了，子女都在外地回不来
medical|help|urgent|sick|{DIS}每天要打针，社区医生这几天都没来，药也断了
medical|inquiry|normal||封控区的居民去医院复诊，要开什么证明，需要提前跟谁报备
medical|inquiry|normal||想问问新冠疫苗第三针现在哪个医院可以打，要不要预约
medical|complaint|normal||120说我们是封控区要等专车，等了三个钟都没来，人都好了，这个要反映一下
supplies|help|urgent||{OLD}住五楼，电梯停了下不来，家里只剩两个番薯，快没吃的了
supplies|help|normal||我们整栋楼封了{DAYS}，物业说的配送一直没到，能不能催一下
supplies|inquiry|normal||居家隔离的人家里的垃圾和买菜怎么解决，谁来负责
supplies|complaint|normal||社区发的爱心菜包里面的菜都黄了，还要我们自己掏钱
health_code|help|normal||我去了一趟市场健康码就黄了，我是卖菜的，黄码不能出摊，一家人靠这个吃饭
health_code|inquiry|normal||扫场所码的时候提示异常，是不是我的码有问题，去哪里查
health_code|complaint|normal||明明做了三次核酸都是阴性，码还是不转绿，打了五次电话都说等通知
testing|help|normal||我们村{OLD}不会用手机，核酸登记不了，能不能安排人帮忙登记
testing|inquiry|normal|child|今天的核酸是十混一还是单管，小孩要不要一起去做
testing|complaint|normal||采样的时候那个工作人员不换手套，一个接一个捅，太不卫生了
testing|inquiry|normal||核酸报告上名字打错了，要怎么改，会不会影响出门
control|help|normal||我们这栋楼有一个阳性，整栋封了，但是我们没收到任何通知，不知道要封多久
control|inquiry|normal||出入卡丢了可以补办吗，要找村委会还是社区
control|complaint|normal|elderly,child|网格员半夜上门敲门登记，态度还很凶，老人小孩都吓醒了
control|report|normal||举报我们小区有人不戴口罩到处串门，叫他回家隔离也不听
control|inquiry|normal||群里说今晚十二点开始全区封控，是不是谣言，谁能给个准信
travel|help|normal||我在高速路口被劝返了，身上带着全部证明，说茂名不让进，我家就在这里
travel|inquiry|normal||私家车去湛江送货，回来要不要隔离，出城卡口查什么证明
travel|complaint|normal||卡口一会说要24小时核酸一会说要48小时，标准一天变三次，让人怎么走
market|complaint|normal||菜市场的青菜平时三块一斤，现在卖十五块，这个有没有人管
market|report|normal||举报{SHOP}把过期的面包重新贴标签卖，还卖得比平时贵
market|inquiry|normal||封控期间个体户的{SHOP}能不能送货上门，要办什么手续
living|help|normal||小区的水管爆了，到处漏水，物业说封控期间没人能来修
living|complaint|normal||封控这么多天，小区的垃圾桶满了都没人清，苍蝇到处飞
living|inquiry|normal||隔离在家电费交不了，会不会被停电，去哪里交
living|help|normal||燃气公司不上门送气，家里煤气没了只能吃泡面，能不能帮协调
study_work|help|normal|child|我在{COMPANY}上班，厂里要求住在厂里闭环生产，不让回家，家里孩子没人带
study_work|inquiry|normal||封控期间没去上班，工资怎么算，单位能不能扣
study_work|inquiry|normal||学校停课了，学费和住宿费能不能退一部分
study_work|complaint|normal||补习班偷偷上课被发现后不退钱，老板电话也不接
safety|help|critical||我们村山上起火了，火很大，往村子这边烧过来了
safety|help|critical||隔离点的电线冒烟了，还有焦味，我们被锁在房间里出不去
safety|help|critical|child,sick|我家小孩掉进村口的水塘里了，捞上来没呼吸了
safety|report|normal||举报有人在楼道里堆放很多纸箱和煤气罐，着火了就跑不掉
safety|inquiry|normal||请问封控区的消防车能进来吗，要是出事了怎么办
other|help|normal||我是外地来的务工人员，工地停工了，没钱交房租，房东要赶我走
other|inquiry|normal||封控期间民政的低保金还按时发吗，去哪里领
other|suggestion|normal||建议12345多开几条线，现在根本打不进来，急死人
other|praise|normal|elderly|感谢社区的书记，帮我们家联系车子送老人去医院复查，服务很好
other|inquiry|normal||请问我们想捐一批口罩和消毒水给村里，要联系哪个部门
control|inquiry|normal||我们是防范区还是管控区，防范区可以出小区买东西吗
control|inquiry|normal||居家隔离的人可以点外卖吗，外卖员能不能送上楼
control|complaint|normal||我家门口被贴了封条，装了门磁，可是我们一家都是阴性，凭什么
control|help|normal||我们村被划成高风险区了，家里的鸡鸭没人喂，能不能让我去一趟
control|inquiry|normal||解封以后还要不要每天做核酸，小区门口还查不查码
control|report|normal||举报有人从封控区翻墙出来，在外面到处走
control|complaint|normal||隔离点把阴性的和阳性的人安排在同一层，我们很担心被感染
control|suggestion|normal||建议封控的楼栋安排专人收垃圾和送快递，居民自己下楼不安全
testing|inquiry|normal||上门采样要怎么预约，是打社区电话还是在小程序上登记
testing|complaint|normal||核酸排队的时候有人插队，工作人员也不管
testing|inquiry|normal||抗原自测是阳性要不要上报，上报给谁
testing|help|normal||我们全家做完核酸快一天了，小程序上还是查不到记录，出不了门
testing|inquiry|normal||外地人在这里做核酸要不要钱，身份证过期了能不能做
testing|complaint|normal||采样点搬了地方也不通知，我们白白跑了一趟
other|help|normal||我是外卖骑手，疫情期间单子少了一大半，房贷还不上，有没有政策
other|inquiry|normal||疫情期间驾驶证到期了，能不能延期换证
other|praise|normal||要给我们社区的医生点个赞，每天上门量体温，很辛苦
other|inquiry|normal||疫情期间能不能办理户口迁移，派出所上班吗
other|complaint|normal||我打了三次12345都说会转办，到现在都没人联系我
other|suggestion|normal||建议对疫情期间停业的小商户发放补贴
other|inquiry|normal||我想给抗疫一线的人送点水果，应该送到哪里
other|help|normal||我的身份证在封控期间丢了，买票坐车都用不了，怎么办
living|complaint|normal||小区封了以后物业把门禁也关了，外卖和快递都进不来
living|help|normal|child|家里的热水器坏了，封控期间找不到师傅，小孩洗澡都成问题
living|inquiry|normal||封控期间的水费燃气费可以缓交吗
living|complaint|normal||小区的电梯坏了三天没人修，住在高层的人上下楼很困难
living|help|normal||快递驿站关门了，我的快递里面有急用的东西，怎么拿
living|complaint|normal||楼上装修的封控期间还在敲敲打打，物业说管不了
market|complaint|normal||网上买的菜包九十九一份，里面的菜连三十块都不值
market|report|normal||举报有药店把连花清瘟一盒卖到一百多
market|inquiry|normal||请问小区的超市什么时候可以恢复营业
market|complaint|normal||超市的鸡蛋限购，还要搭配买别的东西才卖给你
market|help|normal||我是卖水果的，封控期间水果都烂了，能不能允许我在小区门口卖
medical|inquiry|normal|sick|在家里发烧了，是先做抗原还是直接去医院，去哪个医院
medical|help|normal||我要去医院拿药，出门要开什么证明，社区说不知道
medical|complaint|normal||医院说没有24小时核酸不给看急诊，我们等了一个多小时
medical|inquiry|normal||封控区的慢病患者可以在社区医院开药吗
medical|help|urgent|sick|我爸心脏病，速效救心丸吃完了，药店都关门了
supplies|inquiry|normal||请问政府发的生活物资包什么时候发，每家都有吗
supplies|help|normal||我们宿舍十几个人被封在里面，食堂也关了，只有泡面
health_code|inquiry|normal||我的码变成了弹窗，要求报备，在哪里报备
health_code|help|normal||手机换了号码，健康码登不上，也没法出示行程卡
health_code|complaint|normal||去了一趟医院就被赋了黄码，医院又不是风险区
travel|inquiry|normal||请问去湛江的客车恢复了没有，要不要核酸证明
travel|help|normal||我是跑长途的货车司机，在服务区被要求隔离，车上的冻肉要坏了
travel|complaint|normal||同样的证明，高州的卡口让过，化州的卡口不让过，标准不统一
study_work|inquiry|normal||公司要求员工每天做核酸，费用要不要自己出
study_work|help|normal||我的孩子在外地上大学，学校封校了生活费不够，能不能帮忙
study_work|complaint|normal||学校要求学生返校必须自费隔离七天，这个合理吗
safety|help|critical||我老公喝醉了和人打架，对方拿着刀，在我们村口
safety|inquiry|normal||请问隔离点可以用电热毯吗，会不会有安全问题
"""

BATCH_4 = """
testing|inquiry|normal||{HI}我想问下{P}今天有没有核酸采样，几点到几点，我下班赶不赶得上
testing|help|normal||我前天做的核酸到现在还显示待检测，公司要看报告才让进门，帮我查查是卡在哪里了
testing|inquiry|normal||核酸报告在哪里查啊，小程序我找了半天都找不到入口
testing|complaint|normal||那个采样点中午十二点就收摊了，我们顶着太阳排了一个多钟，一句话就让我们回去
testing|help|normal|elderly|{HI}我家里有个九十岁的老人，走不动路，社区能不能派人上门来采个样
testing|inquiry|normal||今天轮到我们楼做核酸没有，群里也没人通知，要不要下去排
testing|complaint|normal||做核酸的棉签捅得太深了，我喉咙到现在都痛，那个采样员很粗鲁
testing|inquiry|normal||抗原两条杠，但是没有任何症状，是不是要再去做一次核酸确认
testing|help|normal||我的核酸记录被人用了，上面显示我在一个从没去过的点做的，怎么改回来
testing|inquiry|normal|disabled,sick|上门采样是免费的吗，家里有个卧床的病人要做
testing|suggestion|normal||建议采样点搭个棚子，下雨天大家淋着雨排队太难受了
testing|complaint|normal||核酸结果一直不出，码也跟着变黄，我打了好几个电话都说等
testing|inquiry|normal||单管和混管有啥区别，我们公司要单管的报告，在哪里能做
testing|help|normal||我在湛江做的核酸，回来茂名这边的系统里查不到，单位说要重新做，能不能同步一下
testing|inquiry|normal|child|小孩子多大要做核酸，一岁多的宝宝也要去捅吗
testing|report|normal||举报我们村的采样员偷懒，把好几个人的棉签放在一个管里随便搅一下
testing|complaint|normal||采样点设在菜市场门口，人挤人的，做个核酸反而怕被传染
testing|inquiry|normal||我上夜班的，白天要睡觉，晚上下班采样点都关了，有没有开到半夜的核酸点
testing|inquiry|normal||核酸证明要打印出来吗，还是手机上给人看就行
testing|help|normal||手机上的核酸信息跟身份证对不上，名字里有个生僻字显示不出来，进不了门
testing|praise|normal||那几个采样的小姑娘从早上做到晚上饭都没吃，真的很辛苦，给她们点个赞
testing|inquiry|normal||居家隔离期间的核酸是有人上门来做还是要自己去采样点
testing|help|normal||核酸结果出来了，但是显示的采样时间错了，差了一天，扫码的时候说不是24小时内的
control|inquiry|normal||{HI}我们小区昨天说要封三天，今天又说要封七天，到底封到哪天
control|complaint|normal||我就下楼拿个快递，保安就说我违反隔离规定，还要记我名字
control|inquiry|normal||家里有人是密接，我们其他人还能不能去上班
control|help|normal||我阳了在家隔离，一个人住，体温已经正常了，什么时候可以出门
control|inquiry|normal||外省回来的人在家里隔离，家里其他人能不能正常出门
control|complaint|normal||隔离点的房间蟑螂到处爬，被子也是潮的，问了几天都没人来处理
control|report|normal||举报对面那栋楼有人天天晚上在楼顶喝酒唱歌，十几个人都不戴口罩
control|inquiry|normal||出门卡一天只能出去一次吗，我要上班早晚都要进出
control|complaint|normal||小区门口只留一个口子进出，排队量体温要半个小时，能不能多开一个门
control|help|normal||我家楼道被封了，可是我是在医院上班的，要去上夜班，保安不让出
control|inquiry|normal||听人讲要把我们整个村的人拉去集中隔离，有没有这回事
control|report|normal||举报有人在封控期间偷偷开门卖早餐，门口排了好多人
control|inquiry|normal||隔离满七天了，解除隔离的通知书要找谁开
control|complaint|normal||志愿者把我们的门用铁丝绑起来了，万一有事都出不去，这样合理吗
control|inquiry|normal||做完最后一次核酸是阴性，是不是就可以解除居家隔离了
control|praise|normal||我们楼的楼长这段时间天天帮大家对接社区，封楼期间安排得很好，要点个赞
control|inquiry|normal||从高风险区回来的人，到了以后第一件事要做什么，去哪里报到
control|complaint|normal||卡点的人查了我的码和核酸，还要我写保证书才放我进村，这是什么规定
control|suggestion|normal||建议封控的通知写清楚是哪几栋，不要整个小区一刀切
control|inquiry|normal||我是次密接，要隔离几天，家里人要一起隔离吗
control|help|normal|pregnant|{PREG}和阳性的邻居住同一层，我们很害怕，能不能让我们先搬去别的地方住
control|inquiry|normal|elderly,child|阳了以后是去方舱还是可以在家隔离，家里有老人小孩
health_code|help|normal||{HI}我这个码一打开就是{COLOR}，社区说不是他们赋的，那到底是谁赋的
health_code|inquiry|normal||行程卡上显示我去过深圳，其实我只是坐高铁路过，能不能去掉
health_code|help|normal||我爸没有智能手机，出门扫不了码，能不能给他办个纸质的
health_code|complaint|normal||我已经按要求做了三天三检，码还是黄的，到底还要我怎么样
health_code|inquiry|normal||健康码上面说我是时空伴随者，这个怎么解除
health_code|help|normal||我的码被别人绑定了，显示的是别人的名字，怎么改过来
health_code|inquiry|normal||扫码的时候一直转圈圈，是不是系统坏了，还是我的手机问题
health_code|help|normal||我在外面打工，今天码突然变{COLOR}了，老板叫我先别来上班，我要怎么申诉
health_code|complaint|normal||就因为码是黄的，药店不给我买退烧药，我又没发烧，是帮家里人买的
health_code|inquiry|normal||粤康码和健康码是一个东西吗，外地来的要用哪一个
health_code|help|normal||我给我妈代申报了健康码，现在她的码跟着我的一起变黄了，怎么分开
health_code|inquiry|normal||码上面那个弹窗说要三天两检，是不是做完两次就自动转绿
health_code|complaint|normal||核酸采样的时候扫错了码，结果我的码成了黄码，采样点说不归他们管
health_code|help|normal||手机丢了，换了新手机登不上健康码，出门全靠它，怎么找回
health_code|inquiry|normal||绿码是不是就可以随便进出商场了，还要不要看核酸
health_code|suggestion|normal||建议黄码转绿以后发个短信通知一下，不然每次都要打开看
health_code|help|normal|child|小孩的健康码是挂在我名下的，现在孩子要上学，怎么单独给他弄一个
health_code|complaint|normal||打了三次12345说码的问题会转到疾控，一个星期了还是红的
travel|inquiry|normal||{HI}我过两天要去深圳上班，现在从茂名出去要什么手续
travel|help|normal|elderly|我的车被扣在高速出口了，说没有通行证不能进，车上还有两个老人
travel|inquiry|normal||坐高铁回茂名，出站的时候要查什么，要不要落地检
travel|complaint|normal||出城的卡口排了三公里的车，一辆一辆查，等了四个多小时
travel|inquiry|normal||我在化州，想去高州看我妈，两个地方都没封，路上会不会被拦
travel|help|normal||我们是运{GOODS}的，通行证过期了，新证还没批下来，货压在车上走不了
travel|inquiry|normal||网约车现在可以跑市区吗，跨区接单会不会被查
travel|inquiry|normal||外地的亲戚来茂名探亲，要提前几天报备，住哪里有要求吗
travel|help|normal||我在外地出差，码是绿的，核酸也有，就是买不到回茂名的车票，怎么回来
travel|inquiry|normal||骑摩托车去隔壁镇买东西，过卡口要带什么
travel|help|normal||我是开冷链车的，拉的是冻品，每个卡口都要消杀检查，一天走不了一百公里
travel|inquiry|normal||去机场坐飞机，出小区要开什么证明，打车能进机场吗
travel|complaint|normal||高速路口只出不进，我们住在路那边的村民每天干活都要绕好远
travel|help|normal|elderly|我爸妈都七十多了，在广州我哥家，现在想回茂名，他们不会弄手机上的报备，能帮忙吗
travel|inquiry|normal||公交车什么时候恢复，去市区上班只能骑电动车，太远了
travel|suggestion|normal||建议卡口给本地的菜农开个快速通道，每天拉菜出去都要排很久
travel|inquiry|normal||货车从湛江拉货过来，司机下车卸货要不要隔离，卸完能不能马上走
travel|inquiry|normal||行程卡带星的人能不能坐大巴回老家，车站查不查
supplies|help|normal||{HI}我们这栋楼封了{DAYS}，团购群里的菜一直说明天到，明天又明天
supplies|help|urgent|elderly|楼下那个老伯八十多岁了，自己住，封了这几天都没见他下楼买东西，敲门说家里没什么吃的了
supplies|help|normal||我租的房子没有厨房，封控以后外面都不开门，天天吃泡面，社区能不能送点饭
supplies|inquiry|normal||社区发的菜要自己下楼拿还是送到门口，我们住八楼没电梯
supplies|complaint|normal||社区登记了三次要买菜，一次都没送来，电话打过去就说在安排
supplies|help|urgent|child|{KID}喝的那种特殊奶粉只剩两顿了，外面药店和超市都没有，我们又出不去
supplies|help|urgent|disabled|{OLD}一个人在家，腿脚不方便，封了三天了，冰箱里已经空了
supplies|inquiry|normal||保供的菜包多少钱一份，在哪里下单，能不能选里面的菜
supplies|help|normal||我们是外地来打工的，十几个人住工棚，工地停了，米也快吃完了
supplies|complaint|normal||物资发到我们村就没了，村干部一箱一箱往自己家里搬，我们什么都没领到
supplies|help|normal||家里的油和盐都用完了，封控的小区能不能帮忙代买一下
supplies|help|urgent|elderly,disabled|我大伯瘫在床上，伯母七十多了，两个老人封在家里，菜和米都见底了
supplies|suggestion|normal||建议物资配送按楼栋分时间段，不要一次全堆在门口让大家去抢
supplies|inquiry|normal||我一个人住，不会用手机团购，怎么才能买到菜
supplies|help|normal||我在医院陪护，病房封了，医院食堂不对我们家属供应，已经两顿没吃了
supplies|help|urgent|child|我一个人带着两个小孩在家隔离，家里吃的都吃完了，孩子一直喊饿
supplies|praise|normal||社区送来的菜很新鲜，还有鸡蛋和肉，比我们自己买的还好，谢谢
supplies|inquiry|normal||封控区里面有没有流动的卖菜车，大概几点来
supplies|help|normal||我们整个村都封了，村里的小卖部早就没货了，政府的物资什么时候能送进来
supplies|help|normal||社区帮忙买菜的时候能不能顺便帮我带几包卫生巾和纸巾，外面都买不到
market|complaint|normal||{HI}楼下{SHOP}的{GOODS}昨天还是正常价，今天一下子翻了一倍，这不是趁火打劫吗
market|report|normal||举报{SHOP}卖的抗原试剂是三无产品，盒子上连厂家都没有
market|inquiry|normal||现在{GOODS}多少钱一斤算正常，有没有指导价可以查
market|complaint|normal||网上买菜的平台运费从五块涨到二十块，菜价也比平时贵一半
market|complaint|normal||我们这里的{SHOP}都关门了，只剩一家开着，东西又少又贵，想买都买不到
market|report|normal||举报菜市场有个档口缺斤少两，我买两斤肉回家一称只有一斤半
market|complaint|normal||布洛芬跑了好几家药店都卖完了，网上卖的价格翻了三倍
market|suggestion|normal||建议物价局去各个菜市场查一查，现在的菜价老百姓真的吃不消
market|complaint|normal||超市把快过期的牛奶打包成礼包卖，价钱一点都没便宜
market|inquiry|normal||{SHOP}说进货的车进不来，所以什么都缺，这种情况能找谁
market|report|normal||举报有人在朋友圈卖假的N95口罩，一个要十五块
market|complaint|normal||水果店的老板看封控了乱开价，一个西瓜要八十块
market|help|normal||我是卖猪肉的，封控前进了两头猪的肉，现在卖不出去，冻库也放不下
market|inquiry|normal||米和油会不会涨价，要不要现在多买一点囤着
market|complaint|normal||小区里的团长卖的菜比外面贵一倍，还不给开收据
market|inquiry|normal||超市的米面油货架都空了，是不是要涨价了，什么时候补货
living|help|normal||{HI}我们这栋楼从早上就没水了，楼上楼下都一样，物业电话也打不通
living|complaint|normal||物业在群里收消杀费，每户五十，说是上面要求的，有没有这个规定
living|help|normal|child|家里的网断了，孩子要上网课，宽带公司说封控区不上门
living|inquiry|normal||小区的路灯坏了一个多星期了，晚上下楼做核酸黑漆漆的，找谁修
living|complaint|normal||快递在驿站放了一个星期，封控了拿不到，现在驿站还要收保管费
living|help|normal||下水道堵了，污水都冒到客厅里了，封控期间物业说没有师傅
living|complaint|normal||楼道的灯坏了，垃圾也没人收，物业只收钱不干活
living|help|normal||我们村的自来水发黄，还有一股味道，烧开了都不敢喝
living|inquiry|normal||小区的物业费封控期间还照常收吗，没提供服务能不能少交
living|help|normal||家里的空调坏了，天气这么热，老人晚上睡不着，能不能让师傅进来修
living|complaint|normal||楼下的化粪池满了，臭味飘得整栋楼都是，物业推来推去
living|help|normal||快递里有我爸的血压计，在驿站放了三天拿不出来，能不能帮忙
living|inquiry|normal||小区停水是全市的还是只有我们这里，有没有送水车
living|complaint|normal||物业每天只开一小时门让我们倒垃圾，错过了就要放家里，这样不卫生
living|praise|normal||水务公司的师傅冒雨来给我们换水管，一分钱没收，很感谢
living|suggestion|normal||建议封控期间物业在群里每天公布一下停水停电的安排
living|help|normal||燃气灶点了半天点不着，燃气公司说封控区不上门维修
medical|help|urgent||{HI}{OLD}每天要吃的{DRUG}只剩明天一顿了，社区医院关门，我们出不去
medical|help|critical|sick|我爸刚才吃饭的时候突然半边身子动不了，话也说不清，我们小区封着
medical|help|normal||牙疼了好几天，脸都肿了，封控区能不能出去看牙，要去哪家医院
medical|help|normal|sick|我有高血压，药还够吃一个星期，想问问社区能不能帮忙提前开药
medical|help|normal|sick|我刚做完手术要换药拆线，医院说要先做核酸才能进，可我出不去做核酸
medical|help|urgent|sick|我老公有精神病，每个月要打一次针，这个月的针还没打，他已经开始乱砸东西了
medical|inquiry|normal||医保卡能不能在外地的药店用，我在这边隔离回不去
medical|help|critical|child,sick|{KID}吃饭的时候被鱼刺卡住了，脸都憋紫了，喘不过气
medical|complaint|normal||社区医院开的药跟以前吃的不一样，医生说没货了，也不给个说法
medical|help|urgent|pregnant|{PREG}这两天一直头晕眼花，脚也肿了，想去医院看看，小区不给出
medical|help|normal||我手被菜刀切了个口子，血已经止住了，要不要去打破伤风，哪里能打
medical|praise|normal|child|感谢社区卫生站的医生，半夜接电话教我怎么给孩子物理降温
medical|help|normal|sick|我有抑郁症，一直在吃药，医院的心理门诊停了，这几天睡不着，想找人聊聊
medical|inquiry|normal|sick|我是乙肝病人，定期要去医院查肝功能，封控了能不能推迟
medical|help|critical|sick|{OLD}突然说胸口闷，全身冒冷汗，现在坐都坐不住
medical|help|normal||社区说可以帮忙代买药，我登记了两天药还没送到，家里的感冒药早就吃完了
medical|help|urgent|sick|我妈血透的那家医院被征用了，让我们自己找别的医院，找了两天都没找到
medical|help|normal||我眼睛红肿了好几天，想去眼科看一下，医院眼科停诊了，还有哪里能看
medical|help|critical|child,sick|{KID}从床上摔下来，头磕到地上，现在一直吐，叫他也不怎么理人
safety|help|critical||{HI}我们楼下的电动车烧起来了，黑烟一直往楼上冲，楼梯都看不见
safety|help|critical|elderly|{OLD}吃完午饭说出去走走，到现在天黑了都没回来，手机也打不通
safety|report|normal||举报有人在封控区的围挡里面烧垃圾，烟很大，离房子很近
safety|help|critical|child|隔壁那家人在吵架，男的拿菜刀追着女的砍，小孩在哭
safety|inquiry|normal||家里的灭火器过期了，封控期间到哪里去换
safety|help|normal||小区围挡的铁皮被风吹倒了，压着了一辆车，幸好没砸到人
safety|help|critical||我们村的河涨水了，有一户人家被困在屋顶上，水还在涨
safety|suggestion|normal||建议封控的小区晚上安排人巡逻，最近有人翻围挡进来偷东西
safety|help|critical||{HI}厨房的煤气管子好像裂了，嘶嘶响，满屋子都是煤气味，我不敢开灯
safety|report|normal||举报工地的塔吊在大风天还在吊东西，工人也没戴安全帽
study_work|inquiry|normal|child|{HI}孩子读寄宿学校，学校封校一个月了，家长能不能去送衣服
study_work|complaint|normal||{COMPANY}让我们签自愿放弃社保的协议，不签就不让复工
study_work|help|normal||我是应届毕业生，本来下个月入职，现在公司说因为疫情取消录用了，怎么办
study_work|inquiry|normal||我在隔离期间被公司辞退了，这样合法吗，去哪里申请仲裁
study_work|complaint|normal|child|学校网课每天从早上八点上到晚上九点，孩子作业做到半夜
study_work|help|normal||教师资格证的考试被取消了，报名费能不能退，下一次什么时候考
study_work|report|normal||举报有培训机构在封控期间偷偷开课，一个教室挤了三十多个学生
study_work|inquiry|normal||公司因为疫情停产，停产期间的工资按什么标准发
study_work|inquiry|normal||高考报名的体检要去医院做，封控区的学生怎么办
study_work|complaint|normal||学校要求家长每天在群里打卡上报体温，漏一次就在群里点名批评
other|inquiry|normal||我家有人去世了，封控期间殡仪馆那边要怎么联系，能不能办丧事
other|inquiry|normal||封控期间护照到期了，出入境的窗口开不开
other|help|normal||我的银行卡被冻结了，银行网点封控期间不开门，工资都取不出来
other|inquiry|normal||我家的狗要打狂犬疫苗，宠物医院都关了，去哪里打
other|praise|normal||我要感谢派出所的民警，封控期间帮我把丢的钱包找回来了
other|help|normal||我是低保户，这个月的低保到现在还没发，家里快揭不开锅了
other|inquiry|normal||疫情期间的水电费补贴怎么申请，我们是困难家庭
other|suggestion|normal||建议12345的等待音乐换一下，打了半个小时一直听同一首歌
other|help|normal||我在网上买口罩被骗了两百块，卖家把我拉黑了，找谁报案
other|inquiry|normal|child|孩子的出生证明要去医院办，封控期间能办吗
other|help|normal||我是外地人，在这边打零工，现在身上只剩几十块钱，也回不了家，能不能有个地方住
other|inquiry|normal||居委会开的证明要盖章，可是居委会一直没人，盖章找谁
other|suggestion|normal||建议政府给封控期间没收入的家庭发点消费券
other|praise|normal||谢谢你们帮我联系上了在隔离点的女儿，她说那边吃住都还好
other|help|normal||家里的老房子要拆迁，封控期间补偿款的事没人管，我们急着用钱
"""

# Written after the model trained with the batches above had been scored (see docs/TRIAGE.md).
BATCH_4B = """
safety|report|normal||{HI}我们楼道里有人把电动车推进来充电，一充就是一整晚，线都拖到门口
safety|inquiry|normal||隔离在家用酒精消毒，会不会着火，喷多少算安全
safety|report|normal||举报对面楼有个阳台堆满了纸皮和泡沫，旁边就是电线，看着就危险
safety|help|normal||我家楼上的阳台花盆摇摇晃晃的，风一吹就要掉下来，楼下天天有人走
safety|report|normal|child|举报有人在村里的鱼塘边电鱼，小孩子经常在那边玩
safety|help|critical||{HI}我在路上看到一辆车翻到沟里了，里面的人卡着出不来，一直在喊
safety|help|critical|child|{KID}一个人被锁在车里了，车停在太阳底下，钥匙在车里，怎么都打不开
safety|help|normal||我们小区的井盖不见了，晚上黑漆漆的，怕有人掉下去
safety|inquiry|normal||家里的插座老是冒火花，封控期间电工能不能上门
safety|help|critical||{HI}有个人在江边走来走去，鞋子脱在一边，看样子想往下跳
safety|report|normal||举报有人晚上在小区里放烟花，差点把晾的衣服点着了
safety|help|normal||封控的铁马被车撞歪了，横在马路中间，晚上很容易出事
safety|help|critical||我们村有人在山上烧田埂，火烧到林子里去了，越烧越大
safety|report|normal||举报隔壁的空房子最近晚上有陌生人进出，我们担心是小偷
safety|suggestion|normal||建议河堤那段路装上护栏和路灯，晚上骑车的人很容易摔下去
control|inquiry|normal||{HI}我们是管控区，能不能去楼下的快递柜拿快递
control|complaint|normal||封控都第十天了，一直说快了快了，到底什么时候解封，给个准话
control|inquiry|normal|child|我家小孩在学校被判成密接，要拉去集中隔离，家长可以陪着吗
control|report|normal||举报我们楼有户人家从外地回来，每天早上偷偷出去买菜，也不做核酸
control|help|normal||我是做生意的，店在封控区里面，货都在店里，能不能让我进去拿一下
control|complaint|normal||隔离酒店的费用要我们自己出，一天三百多，住了十四天，哪里出得起
control|inquiry|normal||我们这栋楼解封了，可是旁边那栋还封着，我们可以正常出小区吗
control|complaint|normal||村口的路被挖断了，说是防疫要求，我们去田里干活都要绕山路
control|inquiry|normal||我们村要办酒席，现在允许多少人聚餐，要不要报备
control|complaint|normal||社区让我们每天在群里报体温，不报就上门，搞得像犯人一样
control|help|normal||我在隔离点已经住满十四天了，核酸都是阴性，为什么还不放我回家
control|report|normal||举报有人帮别人代领出入卡，一个人拿了好几张，在外面到处跑
control|inquiry|normal||从方舱出来以后还要不要居家隔离，家里人要不要一起
control|suggestion|normal||建议隔离点给每个房间配个体温计，不要每次都等工作人员来量
control|complaint|normal|elderly|我们一家都封在家里，社区来登记的人不戴口罩，进门就坐，我家老人吓得不行
supplies|help|normal||{HI}封了这么久，家里的卫生纸和洗洁精都用完了，社区的配送里能不能加上
supplies|complaint|normal||社区统一配送的米袋子是破的，倒出来全是虫子，找谁换
supplies|help|urgent|elderly|我外婆一个人在老家，封村以后没人去看她，打电话说家里只剩半包米了
supplies|inquiry|normal||社区说可以代买菜，是在哪个群里报名，钱是先给还是后给
supplies|help|normal||我们厂里二十多个工人被封在宿舍，老板联系不上，吃饭成了问题
supplies|suggestion|normal||建议社区建个物资需求登记表，谁家缺什么一目了然，不要挨家挨户打电话
supplies|help|normal||我们是刚搬来的，还没进小区的群，社区发物资的时候把我们漏掉了
supplies|help|urgent|child|我家双胞胎刚满月，家里的尿不湿和奶粉都快没了，外面买不到
supplies|inquiry|normal||保供超市有没有送货上门的，我们不方便出门
supplies|help|normal||我在出租屋里隔离，冰箱坏了，买来的菜放不住，能不能少量多次送
supplies|praise|normal||社区给每户送了一袋米一桶油，还有一箱牛奶，真的很暖心
other|inquiry|normal||疫情期间公积金能不能提前取出来交房租
other|help|normal||我儿子在外地回不来，身上没钱了，银行卡又丢了，我怎么给他寄钱
other|praise|normal||谢谢你们上次帮我协调，我爸终于住上院了，一家人都很感激
other|inquiry|normal|disabled|封控期间残疾证年审怎么办，要本人去吗
other|inquiry|normal||志愿者有没有保险，万一感染了谁负责
other|suggestion|normal||建议在社区公告栏贴上各个部门的电话，老人不会上网查
other|help|normal||我是个体户，营业执照今年要年检，市场监管局的窗口一直不开
other|inquiry|normal||疫情期间去世的老人，丧葬补贴去哪里申请
other|inquiry|normal||封控期间家里的宠物生病了，能不能带出去看兽医
other|help|normal||我和房东闹矛盾了，封控期间他把我的门锁换了，不让我回去住
other|inquiry|normal|child|疫情期间能不能申请临时救助，我失业快半年了，家里还有两个孩子
market|report|normal||{HI}举报{SHOP}卖的{GOODS}过期了好几天，还摆在架子上
market|complaint|normal||网上买的抗原等了十天都没发货，客服说疫情物流慢，又不给退款
market|complaint|normal||菜贩子看我们村封了进不来，把菜拉到村口卖，一把青菜要十块
market|report|normal||举报有超市把普通口罩当医用口罩卖，价格还翻倍
market|inquiry|normal||现在药店还有没有抗原卖，多少钱一盒，我在网上看到有的卖四十
market|complaint|normal|elderly|{SHOP}只收现金不让扫码，找零还少给，老人被骗了好几次
market|suggestion|normal||建议超市开放线上下单到店自提，不要大家都挤在里面抢
market|complaint|normal||封控期间菜场只开一家，里面的菜都是挑剩的，价格还不便宜
travel|help|normal||我在茂名出差走不了了，酒店也不让住了，想回家又买不到票
travel|inquiry|normal||{HI}开私家车进市区，在卡口要扫什么码，要下车吗
travel|complaint|normal||拉菜的货车在卡口要消毒两次，一次一个多小时，菜都蔫了
travel|inquiry|normal||跨市的班车哪天恢复，网上买票要不要上传核酸
travel|help|normal||我的车停在高速服务区三天了，说没有落地证明不让下高速
travel|inquiry|normal||回乡的人要提前在哪里登记，到了村口要不要再做核酸
travel|complaint|normal||通行证办下来了，可是卡口说这种证已经作废了，又要重新办
travel|inquiry|normal||我在阳江上班，每天都要开车回茂名，有没有长期通行的办法
medical|help|critical|sick|{HI}我老公在楼顶收衣服，从梯子上摔下来了，头流了好多血，人迷迷糊糊的
medical|inquiry|normal||医院现在能不能做胃镜，要提前几天预约，要不要核酸
medical|complaint|normal|sick|社区医院的医生态度很差，我去开药他说封控期间不开慢病的药
medical|help|urgent|elderly,sick|{HI}我爷爷肺不好，家里的制氧机坏了，现在呼吸有点费劲
medical|inquiry|normal||封控区的人能不能叫120，救护车会不会因为封控不来
medical|help|urgent|sick|我是癫痫病人，一个人住，药只剩两天的了，医院说要本人去开
medical|inquiry|normal|elderly|家里老人要长期吃安眠药，医生开的量只够一个月，封控期间能不能多开点
medical|help|normal|pregnant|{PREG}一直吐得厉害，什么都吃不下，想去医院挂个水，要什么手续
medical|inquiry|normal||核酸阳性的人要是生了别的病，能去哪家医院看
living|help|normal||{HI}我家的电表跳闸了，怎么推都推不上去，电工说封控区进不来
living|complaint|normal||物业把停车场改成了物资中转站，车都没地方停，也没通知业主
living|inquiry|normal||封控期间的燃气表没气了，网上充值充不进去，要去哪里弄
living|help|normal||楼上的空调外机滴水，滴了一个星期了，物业上去敲门没人开
living|complaint|normal||快递员把东西直接扔在小区门口就走，下雨全泡湿了
living|help|normal||我们村一停电就抽不了井水，已经一天没水用了
living|inquiry|normal||小区的二次供水水箱多久清洗一次，最近的水有一股怪味
living|praise|normal||燃气公司的师傅穿着防护服上门给我们换表，态度很好，谢谢他们
health_code|help|normal||{HI}我的行程卡一直显示带星，都过了十四天了还没消
health_code|complaint|normal||我的码因为跟阳性的人同一个基站就变黄了，我都不认识他
health_code|help|normal||申诉了三次码都没转，每次都说已受理，能不能帮我催一下
health_code|inquiry|normal||场所码扫不出来，商场门口的保安不让进，要怎么办
health_code|inquiry|normal||外省的健康码在这里能用吗，还是要重新申请粤康码
testing|inquiry|normal||{HI}我们公司要求三天一检，周末采样点开不开门
testing|complaint|normal||采样点的队伍里有人咳嗽，工作人员也不让他去别的通道
testing|help|normal||我的核酸结果显示阳性，可是我自己做抗原是阴的，是不是搞错了
testing|inquiry|normal||抗原试剂在哪里领，社区说每户发几个
testing|help|normal||核酸码忘了带，采样点说不给做，我用手机给他看截图也不行
testing|suggestion|normal||建议采样点按楼栋分时间来做，不然全小区的人挤在一起
study_work|inquiry|normal||{HI}我在{COMPANY}上班，公司让我们居家办公，电费网费可以报销吗
study_work|complaint|normal||学校要求学生每天穿校服上网课，还要开摄像头，不开就扣分
study_work|help|normal||我找到了新工作，可是人在封控区出不去，公司说再不去报到就不要我了
study_work|inquiry|normal||今年的公务员考试会不会延期，报名的时候要交核酸报告吗
study_work|complaint|normal||{COMPANY}用疫情当理由，把我们的年假全扣了
study_work|inquiry|normal|child|孩子的学校开学要提交七天的健康打卡，漏了几天怎么补
"""

# Written after BATCH_4B, guided by the confusions of grouped cross-validation on the training
# appeals only (no held-out or fresh result was looked at for it; see docs/TRIAGE.md).
BATCH_4C = """
safety|report|normal||{HI}小区地下车库有人私拉电线给电动车充电，插线板都烧黑了
safety|help|normal||楼下那棵大树被台风吹斜了，压在电线上，随时可能倒下来
safety|report|normal||举报我们村有人在家里囤了好几桶汽油，说是要卖，旁边就是灶台
safety|inquiry|normal|elderly|我爸妈年纪大了，冬天在家用电炉取暖，我们不在身边，怎么才能防止出事
safety|help|critical||{HI}隔壁屋里窗户一直往外冒烟，还有噼里啪啦的声音，敲门没人应
safety|report|normal||举报有人在小区绿化带里烧纸钱，风一大火星子到处飞
safety|report|normal||举报楼上的住户天天往楼下扔东西，昨天一个玻璃瓶差点砸到人
safety|help|critical|child|有个小孩爬到窗户外面的空调架上了，家里好像没大人
safety|inquiry|normal||封控期间家里的煤气罐过期了还能不能用，会不会爆炸
safety|report|normal||举报有人酒后开车在村里乱撞，已经撞坏了两家的围墙
safety|help|normal|child|小区里有条大狗没拴绳，追着小孩咬，物业说管不了
safety|help|critical||{HI}我们工地的棚子塌了，下面压着两个工人，快派人来
safety|suggestion|normal||建议隔离酒店每层楼都检查一下烟感报警器，我住的房间那个都不亮
control|inquiry|normal||{HI}我们镇今天开始是不是全部静默，菜市场还开不开
control|complaint|normal||我们楼只有一个人阳性，现在整栋楼都不准下楼，连取外卖都不行
control|inquiry|normal||封控区和管控区有什么区别，我们这里能不能出门买菜
control|complaint|normal||隔离点的工作人员让我们自己打扫公共厕所，我们是来隔离的不是来干活的
control|inquiry|normal||今天起外地返乡的是不是都要先集中隔离，还是可以回家隔离
control|report|normal||举报村里有人家偷偷办满月酒，请了好几十桌
control|complaint|normal||物业说我们小区是防范区，不让外卖员进，可是通知上写的是可以进
control|inquiry|normal||居家健康监测和居家隔离有什么不一样，可以出门吗
control|help|normal||我们是租房的，房东不让我们在这里居家隔离，要赶我们走，我们能去哪
control|inquiry|normal||解除管控以后，之前办的出入证还要不要留着
control|complaint|normal||半夜两点突然通知全员下楼，说是要转运，什么都不说清楚，大家都很慌
control|suggestion|normal||建议每个封控小区公布一个能打通的值班电话，不要让我们到处问
other|help|normal||疫情期间离婚冷静期到了，民政局不上班，会不会要重新走流程
other|inquiry|normal|child|家里的小孩上户口要去派出所，封控期间能网上办吗
other|praise|normal||我们社区的书记几天几夜没合眼，给大家协调各种事情，大家都很感动
other|help|normal||我在网上借了钱，现在没收入还不上，催收天天打电话骂人，怎么办
other|inquiry|normal||疫情期间房子租不出去，房东能不能申请补贴
other|suggestion|normal||建议给困难户直接发现金，发物资很多都用不上
other|help|normal||我老婆在外地被隔离，我们的结婚证在她那里，我这边办事要用，怎么办
other|inquiry|normal||社区志愿者的服务时长在哪里查，学校要用
other|help|normal||我家的猫跑到封控的楼里面去了，能不能让我进去找一下
other|inquiry|normal||退休金这个月还没到账，是不是因为疫情推迟了
other|inquiry|normal||想问问疫情期间法院还开庭吗，我的案子定在下个星期
supplies|help|normal||{HI}封了一个星期，家里就剩几个鸡蛋了，社区的菜什么时候能送到我们这栋
supplies|complaint|normal||社区说每天送一次菜，实际上三天才来一次，每次就几根青菜
supplies|help|urgent|elderly|我爷爷奶奶在乡下，村里封了，两个老人家不会网上买菜，家里已经没有菜了
supplies|inquiry|normal||我们小区被封了，能不能让外面的亲戚把菜送到小区门口，我们下去拿
supplies|help|normal||家里的饮用水喝完了，楼下的水站关门了，社区能不能送几桶水
supplies|help|urgent|sick|我刚做完手术在家休养，一个人住，封控后出不去，家里吃的快没了
supplies|complaint|normal|child|政府发的物资包里面全是方便面和火腿肠，家里有小孩根本吃不了这些
supplies|inquiry|normal||菜店能不能送菜进封控区，还是只能社区统一送
supplies|help|normal||我们宿舍的人都是外地学生，学校食堂停了，外卖也进不来，吃饭没着落
supplies|suggestion|normal||建议团购的菜按户分好再发，不要一大堆放在楼下让大家自己分
supplies|help|urgent|child|{KID}只吃米粉和稀饭，家里的米和米粉都没有了，我们在隔离出不去
medical|help|normal||{HI}我要去市里的医院复查，出了镇要什么证明，社区说要医院开
medical|inquiry|normal||我们村的卫生站能不能开慢性病的药，还是只能去镇上医院
medical|help|urgent|sick|{HI}我妈是尿毒症，每周要去市里透析，镇上的车都停了，我们没车出不去
medical|help|normal||我腰扭伤了，动都动不了，附近的推拿店和诊所都关门了
medical|inquiry|normal||封控区里面谁负责送药，我们自己在网上买的药能送进来吗
medical|help|urgent|sick|{SICK}一直在吃的药是进口药，医院药房说没货了，只剩三天的量
medical|complaint|normal|sick|医院的发热门诊只开半天，下午来的病人都被赶走了
medical|help|normal|child,sick|孩子出水痘了，要不要隔离，能不能去医院看
medical|help|normal||家里有人被开水烫到了手，起了好几个水泡，要去哪里处理
medical|praise|normal||方舱的医生每天给我们量体温发药，还安慰我们不要怕，非常感谢
medical|inquiry|normal||我在吃中药调理身体，封控期间中医院还开不开门
travel|inquiry|normal||{HI}从高州开车去电白，路上有几个卡口，要准备什么
travel|help|normal||我是跑快递的，车进不了封控片区，一车的件送不出去
travel|help|normal||我的货车通行证是别的市办的，到茂名这边不认，货要送到工厂
travel|inquiry|normal||火车站现在还有没有去湛江的车，进站要不要核酸
travel|inquiry|normal||跨省回来的学生，坐飞机到了以后怎么回家，有没有专车接
travel|help|normal||我要拉一车猪去屠宰场，卡口说活禽活畜不让过，猪都快热死了
travel|inquiry|normal||出租车能不能出城，我要去阳江接人
study_work|inquiry|normal||{HI}我在{COMPANY}做了五年，现在说要裁员，补偿怎么算
study_work|complaint|normal||学校让学生自己买抗原，每天测一次拍照上传，一个月要花好几百
study_work|help|normal||我是外卖员，平台因为疫情停了我的账号，说要有核酸才能接单
study_work|inquiry|normal|child|孩子在幼儿园交的伙食费，停课这么久能不能退
study_work|inquiry|normal||技工学校的实习被取消了，毕业证会不会受影响
study_work|help|normal||我是临时工，封控期间没去上班，老板说我自动离职，不给结工资
living|help|normal||{HI}我们这一片晚上经常停电，冰箱一停就坏，供电所说线路老化
living|complaint|normal||楼顶的水箱漏水，家里天花板都泡烂了，物业说等解封再修
living|inquiry|normal||封控区的电费能不能让社区代交，我们没有智能手机
living|help|normal||小区的大门坏了关不上，物业不修，晚上什么人都能进来
living|help|normal||天然气管道停气了，一整天没法做饭，燃气公司电话占线
living|complaint|normal||快递驿站把我的件弄丢了，说封控期间不赔
market|complaint|normal||{HI}药店的体温计以前二十块，现在卖到八十，还说是最后几个
market|inquiry|normal||封控期间开网店卖菜需不需要办证
market|complaint|normal||超市门口排长队，进去以后货架都是空的，就剩一些零食
market|report|normal||举报有商贩用注水肉冒充新鲜猪肉，价格还比平时高
market|inquiry|normal||我想开个社区团购卖菜，价格要不要报给物价局
health_code|inquiry|normal||健康码上的疫苗接种信息不对，少了一针，去哪里改
health_code|complaint|normal||小区门口非要看行程卡，我的是老人机根本打不开，保安就是不让进
health_code|help|normal||身份证号码输错了，注册的健康码是别人的信息，怎么注销
health_code|help|normal||{HI}我从外省回来，码一直是弹窗，社区说要我自己打电话给疾控，疾控又打不通
testing|help|normal||我在采样点排了两个小时，轮到我的时候说试剂用完了，让明天再来
testing|inquiry|normal||核酸采样点的地图在哪里看，我们新搬来的不知道去哪里做
testing|complaint|normal||核酸结果出来得太慢了，每次都要等两天，上班都被耽误了
testing|report|normal||举报有人卖假的核酸阴性证明，在群里发广告
"""

# Written after BATCH_4C in the same way (grouped cross-validation on the training appeals only),
# with more short appeals.
BATCH_4D = """
medical|inquiry|normal||{HI}哪家医院现在可以看急诊
medical|help|normal||我想开点胃药，社区医院开门没有
testing|inquiry|normal||今天的核酸几点结束，我六点下班还来得及吗
health_code|help|normal||{HI}我的码黄了，帮我查一下原因
health_code|inquiry|normal||行程卡怎么查不到了，是不是取消了
control|inquiry|normal||{HI}封了这么多天，到底哪天能下楼
travel|inquiry|normal||{HI}现在去广州还要不要报备
supplies|help|normal||{HI}家里快没菜了，社区能不能送点
market|complaint|normal||{HI}青菜怎么卖这么贵，一斤十几块
living|help|normal||{HI}家里的水压很小，水龙头只滴水，洗澡都洗不了
study_work|inquiry|normal||大学生什么时候可以返校，学校一直没通知
other|inquiry|normal||{HI}居住证过期了怎么续
other|inquiry|normal||疫情期间的失业补助金怎么领，要带什么材料
other|praise|normal||谢谢你们，上次反映的路灯问题第二天就修好了
other|help|normal||我的社保断缴了两个月，是因为疫情没上班，能不能补交
other|inquiry|normal||养老保险资格认证在哪里做，老人不方便出门
other|inquiry|normal||外国人在这里隔离，签证到期了怎么办
other|complaint|normal||社区工作人员说话很冲，我问个问题就挂我电话
other|help|normal||我想给在外地隔离的父母寄点钱，可是他们不会用手机收款
other|inquiry|normal||家里有人过世了，死亡证明要去哪里开
study_work|help|normal||{COMPANY}停工了，我们外地员工住在宿舍，老板说下个月才发工资
study_work|inquiry|normal||学校的期末考试是线上考还是推迟到开学以后
study_work|complaint|normal||网课老师每天布置一大堆作业，家长还要帮忙拍照打卡，太累了
study_work|help|normal||我是刚毕业的大学生，档案在学校，学校封了调不出来，新单位要
study_work|complaint|normal||{COMPANY}说疫情期间的加班不算加班费，每天干十二个小时
study_work|inquiry|normal||复课以后学生还要不要每天做核酸，费用谁出
study_work|help|normal||女儿在高三，学校封校了，要送复习资料进去，门卫不让
market|inquiry|normal||{HI}这几天猪肉多少钱一斤，是不是又涨了
market|complaint|normal||在网上团的抗原，到手发现是过期的，商家不给退
market|report|normal||举报有药店把退烧药拆开一粒一粒卖，一粒要五块
market|complaint|normal||疫情期间超市的会员卡都不给用了，说是特价商品不参加
market|inquiry|normal||哪里有卖血氧仪的，药店都说断货了
market|help|normal||我是种菜的，菜都熟了收不了也运不出去，能不能帮忙联系收购
market|complaint|normal||快餐店一份盒饭涨到三十块，分量还少了一半
market|suggestion|normal||建议在封控区设几个平价菜点，价格公开贴出来
control|inquiry|normal||{HI}我家在管控区，可以骑车去地里摘菜吗
control|complaint|normal||保安说出入卡一户只能一个人用，我老公上夜班我上白班，根本不够用
control|inquiry|normal||集中隔离结束以后，回家还要居家几天
control|report|normal||举报有人组织几十个人在祠堂里拜神，都没戴口罩
control|help|normal||我一个人在隔离酒店，房间的空调坏了，热得睡不着，前台说没人修
control|complaint|normal||封控区的围栏把我们店门口堵死了，客人进不来，也没人通知
control|inquiry|normal||阳性的人出院以后，家里要不要消毒，谁来做
control|complaint|normal||明明已经解封了，村口的卡点还不撤，进出还要登记
control|inquiry|normal||小区里有人确诊，我们这栋楼没有，会不会也被封
safety|report|normal||{HI}我们这边的一个变压器一直在响，还冒火星，很吓人
safety|help|normal||楼下的广告牌松了，风一吹就晃，下面是公交站
safety|report|normal||举报有人在河边的禁止游泳区游泳，已经出过事了
safety|report|normal||举报有人在楼道里烧东西取暖，烟都飘到我们家了
safety|help|normal||我们村的桥被水冲坏了一半，还有人骑车从上面过
safety|suggestion|normal|child|建议在学校门口的路口装个红绿灯，接送孩子的时候车太多了
safety|help|critical||{HI}电梯门开着就往上走，有个人被夹住了，快叫人
supplies|help|normal||{HI}社区送来的米吃完了，下一批什么时候到
supplies|help|urgent|elderly,disabled|{HI}我们楼有个独居的阿婆，眼睛看不见，封控以后一直没人给她送饭
supplies|complaint|normal||我们这个片区的物资都是最后才发，已经断了两天菜了
supplies|help|normal||家里煮饭的米快没了，社区团购一直抢不到
supplies|suggestion|normal||建议给封控区的独居老人每天送一次热饭
medical|help|normal||{HI}我胃痛了一晚上，吃了药也不管用，现在能去哪里看
medical|help|normal||我要去医院拿检查报告，出门要不要开证明
medical|inquiry|normal||我在隔离酒店，牙疼得受不了，能不能叫医生来看一下
medical|help|urgent|child,sick|{KID}拉肚子拉了一天，小便也少了，我们被隔离在家，不知道能不能出去看医生
medical|inquiry|normal||社区医院现在能不能打点滴，还是要去大医院
medical|help|normal|sick|我有糖尿病，血糖仪的试纸用完了，药店都说没货
medical|praise|normal||感谢120的司机和医生，封控区那么难进还是第一时间把我爸送到医院
travel|inquiry|normal||{HI}我要开车去医院接出院的家人，路上要办通行证吗
travel|help|normal||我在高速上开了一整天，每个出口都不让下，油快没了
travel|inquiry|normal||从茂名去海南，轮渡现在开不开，要什么证明
travel|inquiry|normal||渔船能不能出海，码头那边说要等通知
travel|help|normal||我的电动车在卡口被扣了，说封控区的车不能出来，我要上班怎么办
living|complaint|normal||物业管家在群里骂业主，说我们事多，这种物业能不能换
living|help|normal||小区的门禁卡坏了，物业说要解封才能补办，我们进出都要等保安开门
health_code|inquiry|normal||码变黄了还能不能坐公交车
testing|help|normal|elderly,disabled|{HI}家里老人行动不便，上门核酸预约了三天都没人来
testing|inquiry|normal|elderly|核酸检测的结果能不能打印纸质的，老人家不会用手机看
"""

PLACE_FORMS = (
    "我是{town}的，",
    "我住在{district}{town}，",
    "{town}{village}这边，",
    "",
    "地址：{district}{town}{village}。",
    "我们{town}这里，",
)


def _places() -> list[tuple[str, str, str, str]]:
    gaz = Gazetteer.for_city()
    out = []
    for div in gaz.by_code.values():
        if div.level == "village":
            town = gaz.by_code[div.parent]
            district = gaz.by_code[town.parent]
            short = div.name.replace("村民委员会", "村").replace("村委会", "村")
            short = short.replace("社区居民委员会", "社区").replace("居民委员会", "社区")
            out.append((district.name, town.name, short, town.code))
    # The gazetteer's order depends on set iteration (hash seed): sort so every run is the same.
    return sorted(out)


@cache
def _towns_named_cached(key: int, places: tuple) -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    for district, town, _village, _code in places:
        named.setdefault(town, set()).add(district)
    return named


def _towns_named(places) -> dict[str, set[str]]:
    return _towns_named_cached(id(places), tuple(places))


def _fill(template: str, rng: random.Random, places) -> tuple[str, set[str], dict]:
    vulnerable: set[str] = set()
    towns_named = _towns_named(places)
    text = template
    place_label: dict = {"district": None, "town": None}
    while "{" in text:
        start = text.index("{")
        key = text[start + 1 : text.index("}", start)]
        if key == "P":
            district, town, _village, _code = rng.choice(places)
            while len(towns_named[town]) > 1:
                district, town, _village, _code = rng.choice(places)
            value = town
            place_label = {"district": district, "town": town}
        else:
            value, flags = rng.choice(SLOTS[key])
            vulnerable.update(flags)
        text = text[:start] + value + text[text.index("}", start) + 1 :]
    if place_label["town"] is None and rng.random() < 0.6:
        district, town, village, _code = rng.choice(places)
        form = rng.choice(PLACE_FORMS)
        prefix = form.format(town=town, district=district, village=village)
        if prefix:
            # Names that repeat (河西街道) are only labelled when the district is said.
            place_label = {"district": district, "town": town}
            if len(towns_named[town]) > 1 and "{district}" not in form:
                place_label = {"district": None, "town": None}
            text = prefix + text if not prefix.startswith("地址") else text + prefix
    return text, vulnerable, place_label


def build(seed: int = 4409) -> tuple[list[dict], list[dict]]:
    """Return (train, heldout) records built from :data:`TEMPLATES`."""
    rng = random.Random(seed)
    places = _places()
    train: list[dict] = []
    heldout: list[dict] = []
    per_category: dict[str, int] = {}
    text = "\n".join((TEMPLATES, BATCH_4, BATCH_4B, BATCH_4C, BATCH_4D))
    lines = [t for t in text.splitlines() if t.strip()]
    for number, line in enumerate(lines):
        category, appeal_type, urgency, flags, template = line.split("|", 4)
        index = per_category.get(category, 0)
        per_category[category] = index + 1
        target = heldout if index % HELDOUT_EVERY == HELDOUT_EVERY - 1 else train
        seen: set[str] = set()
        for variant in range(VARIANTS * 3):
            text, vulnerable, place = _fill(template, rng, places)
            if text in seen:
                continue
            seen.add(text)
            vulnerable.update(f for f in flags.split(",") if f)
            target.append(
                {
                    "id": f"t{number:03d}-{variant}",
                    "text": text,
                    # TAXONOMY: category "other" covers praise. Templates were first written
                    # filing praise under the field of who was praised; the label follows the
                    # contract, the template's own category still decides its split.
                    "category": "other" if appeal_type == "praise" else category,
                    "appeal_type": appeal_type,
                    "urgency": urgency,
                    "vulnerable": sorted(vulnerable),
                    "district": place["district"],
                    "town": place["town"],
                    "template": number,
                }
            )
            if len(seen) == VARIANTS:
                break
    return train, heldout


def main() -> None:
    """Rebuild ``data/train.jsonl`` and ``data/heldout.jsonl``."""
    train, heldout = build()
    for name, rows in (("train.jsonl", train), ("heldout.jsonl", heldout)):
        with open(DATA_DIR / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} appeals")


if __name__ == "__main__":
    main()
