"""Invented Chinese words for the demo estate: names, phrases and ticket subjects.

Every person, phone number and ID number here is made up; phones are 138-0000-xxxx and
ID numbers start with 999999 so that nobody can mistake them for real ones.
"""

from __future__ import annotations

ESTATE_NAME = "锦绣华庭"
ESTATE_ADDRESS = "示范市惠民区锦绣路 9 号（演示数据）"

SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
    "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
)
GIVEN_NAMES = (
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "海燕", "雪梅", "国庆",
    "子涵", "浩然", "欣怡", "宇轩", "晓东", "春生", "玉兰", "文博", "梓萱", "家豪", "思远", "慧敏",
)

# building layout: (unit type, building count, floors, units per floor); 292 units in all
LAYOUT: tuple[tuple[str, int, int, int], ...] = (
    ("yangfang", 7, 6, 2),   # 84
    ("yangfang", 6, 7, 2),   # 84  -> 13 buildings with a lift each (the handbook's 13 lifts)
    ("diejia", 6, 4, 3),     # 72
    ("lianpai", 4, 1, 11),   # 44
    ("lianpai", 2, 1, 4),    # 8   -> 292
)
AREA_RANGE = {"yangfang": (89, 143), "diejia": (150, 210), "lianpai": (220, 320)}
FEE_RATE = {"yangfang": 1.78, "diejia": 2.3, "lianpai": 2.9}  # 元/m²/月 (the handbook's)

FAMILY_STRUCTURES = (
    ("三口之家", ("配偶", "子女")),
    ("四口之家，老人同住", ("配偶", "子女", "母亲")),
    ("年轻夫妻", ("配偶",)),
    ("老两口", ("配偶",)),
    ("五口之家，三代同堂", ("配偶", "子女", "子女", "父亲")),
    ("单身", ()),
)
LIVING_ALONE = "独居老人"
SPECIAL_NEEDS_ALONE = (
    "独居老人，行动不便，每周电话问候一次",
    "独居老人，有高血压，雨雪天气上门看望",
    "独居老人，听力不好，通知需当面告知",
)
SPECIAL_NEEDS_OTHER = (
    "家中有婴儿，午间施工请提前告知",
    "业主常年在外地，快递需代为登记",
    "家有轮椅使用者，单元门坡道需保持畅通",
)
OPINIONS = (
    "希望地下车库照明再亮一些",
    "建议增加儿童游乐设施",
    "对保洁工作满意，楼道很干净",
    "希望加强夜间巡逻",
    "电梯维保希望提前张贴通知",
    "建议小区增设快递柜",
    "绿化修剪噪音大，希望避开午休时间",
    "对管家服务满意",
    "希望物业费公示更透明",
)
NOTES = (
    "业主为退休教师，喜欢养花",
    "女主人在医院工作，夜班较多",
    "家中养一只小型犬，已登记",
    "业主为业委会成员",
    "出租中，租户为年轻上班族",
    "装修期间曾多次沟通噪音问题",
)

STAFF = (
    # username, display name, role, phone suffix
    ("guanjia1", "周晓楠", "steward"),
    ("guanjia2", "孙建国", "steward"),
    ("guanjia3", "林雨婷", "steward"),
    ("guanjia4", "马志远", "steward"),
    ("guanjia5", "何丽君", "steward"),
    ("guanjia6", "郑凯", "steward"),
    ("qiantai", "宋佳怡", "desk"),
    ("qiantai2", "韩梦", "desk"),
    ("jingli", "罗振华", "manager"),
    ("admin", "系统管理员", "admin"),
)
ENGINEERS = (
    # username, display name, team (工程部 班组); weixiu1 also repairs in 翠湖苑
    ("weixiu1", "王建军", "water_power"),
    ("weixiu2", "刘志强", "civil"),
    ("weixiu3", "陈海涛", "lift"),
    ("weixiu4", "杨帆", "low_voltage"),
)
SECOND_ESTATE = ("CHY", "翠湖苑", "杭州市余杭区翠湖路8号")  # code, name, address
SECOND_STAFF = (
    ("qiantai_ch", "彭晓雯", "desk"),
    ("guanjia_ch", "曹文斌", "steward"),
)

ASSIGNEES = {"repair": ("工程部", "工程部-水电班", "工程部-土建班", "电梯维保"),
             "cleaning": ("保洁",), "order": ("秩序部",), "desk": ("客服前台",)}

# (title, place part, assignee group, priority weights urgent/high/normal/low, paid service)
REPAIRS = (
    ("厨房水管漏水", "厨房", "repair", (2, 4, 10, 2), False),
    ("卫生间下水堵塞", "卫生间", "repair", (0, 2, 10, 3), True),
    ("家中跳闸停电", "户内", "repair", (4, 6, 6, 0), False),
    ("门禁卡无法开门", "单元门", "repair", (0, 2, 8, 4), False),
    ("阳台推拉门变形", "阳台", "repair", (0, 0, 6, 6), False),
    ("更换水龙头", "厨房", "repair", (0, 0, 5, 8), True),
    ("楼道灯不亮", "楼道", "repair", (0, 2, 8, 3), False),
    ("电梯异响", "电梯", "repair", (1, 6, 5, 0), False),
    ("外墙渗水", "卧室外墙", "repair", (0, 4, 8, 2), False),
    ("水管爆裂", "地下室", "repair", (8, 2, 0, 0), False),
)
# 日常报修处理规程 2: each repair's system, part and damage, as the desk records them
REPAIR_FIELDS: dict[str, tuple[str, str, str]] = {
    "厨房水管漏水": ("water", "水管接头", "漏水"),
    "卫生间下水堵塞": ("water", "地漏", "堵塞"),
    "家中跳闸停电": ("power", "空气开关", "跳闸"),
    "门禁卡无法开门": ("low_voltage", "门禁读卡器", "不识别"),
    "阳台推拉门变形": ("doors_windows", "推拉门", "变形"),
    "更换水龙头": ("water", "水龙头", "关不紧"),
    "楼道灯不亮": ("lighting", "声控灯", "不亮"),
    "电梯异响": ("lift", "轿厢", "运行异响"),
    "外墙渗水": ("civil", "外墙", "渗水"),
    "水管爆裂": ("water", "给水主管", "爆裂"),
}
# 有偿特约服务 (应知 18): what a paid repair of the list is, and how many units
PAID_ITEMS: dict[str, tuple[str, int]] = {"卫生间下水堵塞": ("drain", 1), "更换水龙头": ("tap", 1)}
PAYMENT_METHODS = ("wechat", "cash", "alipay", "wechat", "bank_card")
COMPLAINTS = (
    ("楼上装修噪音扰民", "户内", "order"),
    ("邻居占用楼道堆放杂物", "楼道", "order"),
    ("宠物粪便无人清理", "小区道路", "cleaning"),
    ("垃圾桶清运不及时", "垃圾房", "cleaning"),
    ("地库车位被占用", "地下车库", "order"),
    ("维修人员迟到未按约上门", "户内", "repair"),
    ("夜间广场舞噪音", "中心广场", "order"),
    ("绿化浇水溅湿晾晒衣物", "楼前绿地", "cleaning"),
)
INQUIRIES = (
    "物业费缴费方式咨询",
    "装修手续如何办理",
    "停车月卡办理咨询",
    "出入证补办流程",
    "停水通知时间咨询",
    "快递代收规定咨询",
    "电动车充电桩位置咨询",
)
INVALID_COMPLAINTS = ("developer_legacy", "outside_contract", "neighbour_renovation", "utility_fault")
CALLBACK_WORDS = (
    "业主表示已修好，很满意", "业主表示处理及时", "业主说师傅态度很好",
    "业主认为维修速度偏慢", "业主满意，希望以后提前电话联系", "业主表示问题已解决",
)
NOTE_BODIES = (
    "已电话联系业主，约定明天上午上门", "配件需采购，已告知业主预计时间",
    "已与工程部确认派工", "业主不在家，改约时间", "已拍照留存",
)

FINDINGS = {
    # kind: (area, severity weights low/medium/high/critical, descriptions, raises a ticket)
    "safety_hazard": ("fire", (0, 3, 5, 2), ("消防通道堆放杂物", "灭火器压力不足", "地库电缆桥架盖板脱落"), True),
    "public_damage": ("building", (2, 6, 2, 0), ("单元门闭门器损坏", "楼道墙皮脱落", "路灯灯罩破损", "地砖松动"), True),
    "tool_damage": ("cleaning", (3, 5, 0, 0), ("保洁推车轮子损坏", "高压水枪漏水"), True),
    "staff_off_post": ("order", (2, 6, 2, 0), ("东门岗位无人值守", "保洁员聚堆聊天"), False),
    "parking": ("garage", (5, 4, 1, 0), ("消防通道违停车辆", "电动车楼道充电", "非机动车乱停乱放"), False),
    "release_slip": ("doors", (3, 5, 0, 0), ("搬出物品无放行条", "装修垃圾未登记放行"), False),
    "other": ("greening", (6, 3, 0, 0), ("草坪有积水", "绿篱需修剪"), False),
}
PATROL_NOTES = ("早巡完成", "正常巡查", "重点检查地库和消防通道", "雨后检查积水", "")

VISIT_OUTCOMES = {
    "routine": ("了解家庭情况，更新档案", "业主对物业服务基本满意", "送上节日问候"),
    "complaint_callback": ("投诉问题已处理，业主认可", "业主仍有意见，已记录跟进"),
    "repair_callback": ("维修已完成，业主签字确认", "维修效果良好"),
    "fee_reminder": ("已提醒缴费，业主承诺本周缴纳", "业主对费用有疑问，已解释", "业主不在家，留下缴费通知"),
}
OWNER_WORDS = ("希望保持现在的服务", "小区环境比以前好了", "车位紧张希望想办法", "没有其他意见", "谢谢管家")
FOLLOW_UPS = ("", "", "下周电话回访", "反馈工程部", "转告客服经理")

# what a steward learns of a household (应知 6, issue 17)
EDUCATION = ("高中", "大专", "本科", "本科", "硕士", "博士")
HOMETOWNS = ("河南郑州", "河南洛阳", "河南开封", "山东济南", "湖北武汉", "河北石家庄", "安徽合肥")
EMPLOYERS = ("示范市第一人民医院", "示范市实验中学", "示范科技有限公司", "个体经营", "示范银行惠民支行",
             "示范建设集团", "已退休")
WORK_ADDRESSES = ("示范市金水路 12 号", "示范市花园路 86 号", "示范市经三路 30 号", "示范市文化路 5 号")
KEY_CUSTOMERS = (("media", "示范日报记者"), ("government", "区政府工作人员"), ("group_staff", "集团总部员工"))

FEE_CALL_NOTES: dict[str, str] = {  # 催缴记录本: what a steward writes after a call
    "none": "电话无人接听，稍后再打",
    "forgot": "业主说忘记了，答应这几天到管理处缴费",
    "away": "业主在外地出差，回来后缴费",
    "hardship": "业主说近期手头紧，希望缓几天",
    "quality_dispute": "业主说阳台渗水一直没修好，修好再缴",
    "refuses": "业主对服务不满意，拒绝缴费，已报客服经理",
}
