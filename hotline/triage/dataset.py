"""Build the project's own labelled appeals (``data/train.jsonl`` and ``data/heldout.jsonl``).

Written for this project in the way callers speak: each template line below is one kind of appeal
with its labels, and slots (who, what medicine, where) are filled from pools written here and from
the city's real place names. The held-out file is made of *whole templates* that training never
sees (every fifth template of each category), so held-out figures measure wording the model has
not met, not just new slot values.

Run ``python -m hotline.triage.dataset`` to rebuild both files (deterministic, seeded).
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path

from hotline.triage.gazetteer import Gazetteer

DATA_DIR = Path(__file__).resolve().parent / "data"
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
safety|help|critical|elderly|{OLD}有老年痴呆，早上出门走失了，到现在还没找到
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
    return out


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
    for number, line in enumerate(t for t in TEMPLATES.strip().splitlines() if t.strip()):
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
                    "category": category,
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
