"""Why a mutation or a batch was refused: each code with a Chinese and an English reason.

The code is what clients branch on; the message (中文 | English) is shown to people.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    # per mutation (the mutation is recorded as rejected; its seq still advances)
    "unknown_collection": ("未知的数据类别", "unknown collection"),
    "unknown_record": ("记录不存在", "no such record"),
    "create_not_allowed": ("当前角色不能新建此类记录", "this role may not create these records"),
    "delete_not_allowed": ("当前角色不能删除此类记录", "this role may not delete these records"),
    "not_owner": ("只能删除本人创建且未被他人修改的记录",
                  "only records you created and nobody else changed may be deleted"),
    "not_own_record": ("不能替其他楼管登记记录", "records may not be made for another steward"),
    "field_not_writable": ("当前角色不能修改这些字段", "this role may not write these fields"),
    "missing_base": ("修改缺少原值", "the change lacks the base value of these fields"),
    "invalid": ("数据不符合格式", "the values do not fit the record's schema"),
    "out_of_scope": ("超出负责楼栋范围", "outside your assigned buildings"),
    "bad_reference": ("引用的记录不存在或已删除", "the referenced record is missing or deleted"),
    "append_only": ("此类记录只能追加，不能修改", "these records are append-only"),
    "forbidden_transition": ("工单状态不能这样变更", "the ticket lifecycle forbids this move"),
    "owner_signature_required": ("维修完工须由业主签字确认", "a repair is done only once the owner has signed"),
    "callback_required": ("报修和投诉须回访后才能关闭", "a repair or complaint closes only after its callback"),
    "status_not_allowed": ("当前角色不能把工单改为此状态",
                           "this role may not move a ticket into this status"),
    "bad_status": ("新工单必须为“已受理”状态", "a new ticket must start as received"),
    "kind_not_allowed": ("当前角色不能登记此类工单", "this role may not raise this kind of ticket"),
    "event_type_not_allowed": ("当前角色不能添加此类工单记录",
                               "this role may not add this kind of timeline line"),
    "parent_not_allowed": ("当前角色只能给工单添加照片或签名",
                           "this role may add photos and signatures to tickets only"),
    "not_a_complaint": ("只有投诉工单才能认定为无效投诉",
                        "only a complaint can be marked as an invalid complaint"),
    "paid_not_repair": ("只有报修工单才能登记有偿特约服务",
                        "only a repair can carry a paid special service"),
    "renovation_step_order": ("装修手续须按流程逐步办理，不能跳过或倒退",
                              "a renovation's steps go in order: none skipped, none undone"),
    "step_day_required": ("请填写这一步的日期", "the step needs its day"),
    "step_before_previous": ("这一步的日期不能早于上一步", "a step's day cannot come before the previous step's"),
    "permit_too_early": ("打压/闭水试验两天后才能领取装修许可证",
                         "the permit comes two days after the pressure and water-closure test at the earliest"),
    "renovation_not_complaint": ("只有投诉工单才能关联装修", "only a complaint can name a renovation case"),
    "step_inspection_required": ("须先在手机上登记试验或验收（业主签字）",
                                 "the step names its test or inspection, signed by the owner on the phone"),
    "inspection_result_required": ("试验、初验和复验须填写是否合格",
                                   "a test, first or second inspection records whether it passed"),
    "inspection_signature_required": ("合格须由业主签字确认", "a pass needs the owner's signature"),
    "notice_due_without_notice": ("整改期限须与整改通知一起填写", "a rectification deadline needs the notice"),
    "notice_result_required": ("复查整改须填写整改结果", "checking a notice records whether it was put right"),
    # move-in (入住办理流程, 应会 2): each step needs what the handbook asks before it
    "agreements_missing": ("须先签定《临时管理规约》《前期物业管理服务协议》《装修管理协议》",
                           "the three agreements must be signed first"),
    "fee_not_recorded": ("须先登记一年物业费金额及收据号", "record the year's fee and its receipt first"),
    "handover_items_missing": ("须先登记钥匙、礼品及《使用说明书》《质量保证书》的发放",
                               "record the keys, gifts and manuals handed over first"),
    "reading_lower": ("读数低于上次读数：如已换表或表满归零，请标明并拍照",
                      "the reading is lower than the last: mark a replaced or rolled-over meter, with a photo"),
    "reading_high": ("用量远高于该表平时用量：请确认并拍下表盘照片",
                     "the use is far above this meter's usual: confirm it with a photo of the dial"),
    "reading_needs_photo": ("换表、归零或确认偏高的读数须附照片",
                            "a replaced, rolled-over or confirmed-high reading needs a photo"),
    "not_for_this_contact": ("该字段不属于这种催缴记录（通知单只用于张贴、接通只用于电话、家访只用于上门）",
                             "this field does not belong to this kind of fee contact"),
    # whole batch (nothing applied)
    "seq_gap": ("变更序号不连续，请先同步之前的变更", "seq gap: push the earlier mutations first"),
    "seq_order": ("同一批变更的序号必须递增", "seqs must increase within a batch"),
    "bad_seq": ("变更序号必须是正整数", "seqs must be positive integers"),
    "batch_too_large": ("一次提交的变更过多", "too many mutations in one push"),
    "update_required": ("应用版本过旧，请更新后再同步", "this app version is too old: update it"),
    "replay_unknown": ("重放的变更在服务器上没有记录", "a replayed seq has no stored result"),
}


def message(code: str, detail: str = "") -> str:
    """The human reason of a refusal: "中文：detail | English: detail"."""
    zh, en = REASONS[code]
    if detail:
        return f"{zh}：{detail} | {en}: {detail}"
    return f"{zh} | {en}"
