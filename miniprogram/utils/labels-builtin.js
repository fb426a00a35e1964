// The mini-program's built-in copy of the server's labels (server/labels.py):
// what utils/labels.js shows when GET /api/v1/config has not been read, online
// or stored. Only a fallback, kept equal to the server's by
// tests/server/api/test_labels_sync.py (which reads the *_LABELS objects of this
// file). utils/labels.js reads BUILT_IN and re-exports every other name here.

const ROLE_LABELS = {
  resident: '住户',
  liaison: '单元联络人',
  building_lead: '楼栋长',
  committee: '业委会委员',
  supervisor: '财务监督',
  admin: '平台管理员',
}

const RELATION_LABELS = {
  owner: '业主',
  tenant: '租户',
  family: '家属',
}

const STATUS_LABELS = {
  pending: '待审核',
  approved: '已通过',
  rejected: '已拒绝',
  cancelled: '已撤回',
  expired: '已过期',
}

// Issues: the same labels GET /api/v1/config sends, used when it cannot be read.
const ISSUE_CATEGORY_LABELS = {
  repair: '报修',
  hazard: '安全隐患',
  dispute: '矛盾纠纷',
  care: '困难帮扶',
  suggestion: '建议',
  other: '其他',
}

const ISSUE_STATUS_LABELS = {
  submitted: '待受理',
  accepted: '处理中',
  referred: '已转办',
  resolved: '已解决',
  closed: '已完成',
  rejected: '不予受理',
  duplicate: '重复事项',
}

// Button texts for the actions an issue's detail offers (`actions`).
const ISSUE_ACTION_BUTTONS = {
  accept: '受理',
  refer: '转办',
  resolve: '办结',
  confirm: '确认完成',
  reopen: '重新打开',
  reject: '不予受理',
  mark_duplicate: '标为重复',
}

// What a role's scope_id counts (a role 'liaison' on the 'unit' 7).
const SCOPE_LABELS = {
  household: '户',
  unit: '单元',
  building: '楼栋',
  compound: '小区',
  platform: '平台',
}

// Fees: a bill, an online payment, a cash or transfer payment.
const BILL_STATUS_LABELS = {
  unpaid: '未缴',
  pending: '支付中',
  paid: '已缴',
  cancelled: '已作废', // its electricity reading was voided: owed by nobody
}

// A unit's electricity reading: bills only once a second committee member confirms it.
const READING_STATUS_LABELS = {
  pending: '待确认',
  confirmed: '已确认',
  rejected: '已驳回',
  voided: '已作废',
}

// Changes of money waiting for a second committee member (GET .../pending-changes).
const CHANGE_KIND_LABELS = {
  meter_reading: '电费读数',
  meter_void: '作废电费读数',
  fee_change: '收费标准调整',
  refund: '退款登记',
  roster_change: '房屋面积/状态调整',
  wechat_refund: '微信退款',
}

// A flat as the roster names it (状态 自住/出租/空置).
const OCCUPANCY_LABELS = {
  occupied: '有人住',
  vacant: '空置',
}

const TENURE_LABELS = {
  owner: '自住',
  rented: '出租',
}

// The compound's audit log (任免与交接记录).
const AUDIT_ACTION_LABELS = {
  compound_opened: '开通小区',
  invite_created: '发出任命邀请',
  invite_revoked: '作废任命邀请',
  appointed: '任命',
  revoked: '免去',
  term_set: '设定任期',
  handover: '工作交接',
  roster_imported: '导入房屋名册',
  roster_change_confirmed: '确认房屋调整',
  roster_change_rejected: '驳回房屋调整',
  console_signed_in: '扫码登录电脑',
  console_signed_out_everywhere: '退出所有电脑',
  pay_merchant_changed: '更换收款商户',
}

// disputed: WeChat Pay took another amount than the order's; the bills are
// unpaid again and the committee refunds the money.
const PAYMENT_STATUS_LABELS = {
  pending: '待支付',
  paid: '已支付',
  closed: '已关闭',
  disputed: '金额异常', // as in the server's Excel export
}

// What a resident is told of a disputed payment (the bills page, 缴费记录).
const PAYMENT_DISPUTED_MESSAGE = '支付金额与账单不符，业委会将核对并退款，账单已恢复为待缴'

// What went wrong with a payment (GET /compounds/{code}/payment-anomalies).
const ANOMALY_KIND_LABELS = {
  amount_mismatch: '通知金额不符',
  amount_disputed: '金额不符',
  double_payment: '重复缴费',
  duplicate_transaction: '交易号重复',
  reading_voided: '电费作废退款',
  statement_missing_here: '对账单有、本系统无',
  statement_missing_there: '本系统有、对账单无',
  statement_amount: '对账单金额不符',
  statement_refund: '对账单退款不符',
  refund_abnormal: '退款异常',
}

// A refund through WeChat Pay (proposed, confirmed by a second member, sent, ended).
const REFUND_STATUS_LABELS = {
  proposed: '待第二人确认',
  rejected: '已驳回',
  confirmed: '已确认，待发送',
  processing: '退款中',
  success: '已退回',
  closed: '退款关闭',
  abnormal: '退款异常',
  failed: '微信支付拒绝',
}

const OFFLINE_METHOD_LABELS = {
  cash: '现金',
  transfer: '转账',
  other: '其他',
}

const OFFLINE_STATUS_LABELS = {
  pending: '待确认',
  confirmed: '已确认',
  rejected: '已驳回',
}

// Money in the open: spending, public income, the notice board.
const EXPENSE_CATEGORY_LABELS = {
  repair: '维修',
  cleaning: '保洁',
  electricity: '电费',
  greening: '绿化',
  activities: '活动',
  office: '办公',
  other: '其他',
}

const EXPENSE_STATUS_LABELS = {
  proposed: '待审核',
  objected: '有异议',
  approved: '已批准',
  paid: '已支付',
  withdrawn: '已撤回',
}

const PAY_METHOD_LABELS = {
  cash: '现金',
  transfer: '转账',
  wechat: '微信',
  other: '其他',
}

const ASSET_KIND_LABELS = {
  ad_space: '广告位',
  parking: '停车位',
  room: '出租房屋',
  other: '其他',
}

const CONTRACT_CYCLE_LABELS = {
  monthly: '按月',
  quarterly: '按季',
  yearly: '按年',
  once: '一次性',
}

const INCOME_KIND_LABELS = {
  advertising: '广告收入',
  parking: '停车收入',
  rent: '场地租金',
  donation: '捐赠',
  other: '其他收入',
}

const INCOME_STATUS_LABELS = {
  pending: '待确认',
  confirmed: '已确认',
  rejected: '已驳回',
}

const AUDIENCE_LABELS = {
  compound: '全小区',
  building: '本楼栋',
  unit: '本单元',
}

const DISCLOSURE_STATUS_LABELS = {
  draft: '待审核',
  signed: '已审核',
  objected: '有异议',
  published: '已公示',
  superseded: '已更正',
}

const PROPOSAL_STATUS_LABELS = {
  draft: '草稿',
  notice: '公示中',
  voting: '表决中',
  closed: '已结束',
  withdrawn: '已撤回',
}

const MATTER_LABELS = {
  '1': '制定和修改业主大会议事规则',
  '2': '制定和修改管理规约',
  '3': '选举或更换业主委员会成员',
  '4': '选聘或解聘物业服务企业',
  '5': '使用维修资金',
  '6': '筹集维修资金',
  '7': '改建、重建建筑物及附属设施',
  '8': '改变共有部分用途或利用共有部分从事经营活动',
  '9': '有关共有和共同管理权利的其他重大事项',
}

const DECISION_RULE_LABELS = {
  three_quarters: '参与表决面积和人数均达四分之三以上同意',
  majority: '参与表决面积和人数均过半数同意',
}

const BALLOT_CHANNEL_LABELS = { app: '小程序投票', paper: '纸质表决票', proxy: '书面委托' }

const BALLOT_STATUS_LABELS = {
  pending: '待核对',
  counted: '已计入',
  replaced: '已更改',
  rejected: '未计入',
}

const AGE_BAND_LABELS = {
  under_18: '18岁以下',
  '18_59': '18–59岁',
  '60_69': '60–69岁',
  '70_79': '70–79岁',
  '80_plus': '80岁及以上',
}

const RESIDENCE_LABELS = {
  lives_here: '在住',
  away: '外出暂住别处',
  vacant: '无人居住',
}

const CARE_TAG_LABELS = {
  elderly_alone: '独居老人',
  disability: '残疾',
  hardship: '生活困难',
  needs_visits: '需定期走访',
  party_centre: '党员中心户',
}

const CAMPAIGN_TYPE_LABELS = {
  dispute: '矛盾纠纷全覆盖排查',
  safety: '安全隐患拉网式排查',
  vulnerable: '困难群体逐个式排查',
}

const CAMPAIGN_STATUS_LABELS = {
  open: '进行中',
  closed: '已结束',
}

const VISIT_HOW_LABELS = {
  good: '挺好',
  fair: '一般',
  poor: '不太好',
}

const VISIT_METHOD_LABELS = {
  visit: '上门',
  phone: '电话',
}

const VISIT_STATUS_LABELS = {
  due: '待走访',
  done: '已走访',
  cancelled: '已取消',
}

const ACCESS_ACTION_LABELS = {
  view_phone: '查看电话',
  view_tags: '查看关爱标记',
  export_census: '导出住户登记',
  download: '下载本户信息',
  erase: '删除本户信息',
  view_visits: '查看走访记录',
  export_access_log: '导出查看记录',
}

const CONSENT_KIND_LABELS = {
  binding: '绑定房屋',
  census: '住户登记',
}

// For <picker range-key="label">, in the server's order.
const RELATION_OPTIONS = Object.keys(RELATION_LABELS).map((value) => ({
  value,
  label: RELATION_LABELS[value],
}))

const OFFLINE_METHOD_OPTIONS = Object.keys(OFFLINE_METHOD_LABELS).map((value) => ({
  value,
  label: OFFLINE_METHOD_LABELS[value],
}))

// The groups GET /api/v1/config sends, named as the server names them, and our
// copy of each.
const BUILT_IN = {
  issue_category: ISSUE_CATEGORY_LABELS,
  issue_status: ISSUE_STATUS_LABELS,
  issue_action: ISSUE_ACTION_BUTTONS,
  role: ROLE_LABELS,
  scope: SCOPE_LABELS,
  relation: RELATION_LABELS,
  binding_status: STATUS_LABELS,
  bill_status: BILL_STATUS_LABELS,
  reading_status: READING_STATUS_LABELS,
  change_kind: CHANGE_KIND_LABELS,
  payment_status: PAYMENT_STATUS_LABELS,
  anomaly_kind: ANOMALY_KIND_LABELS,
  refund_status: REFUND_STATUS_LABELS,
  offline_method: OFFLINE_METHOD_LABELS,
  offline_status: OFFLINE_STATUS_LABELS,
  occupancy: OCCUPANCY_LABELS,
  tenure: TENURE_LABELS,
  audit_action: AUDIT_ACTION_LABELS,
  expense_category: EXPENSE_CATEGORY_LABELS,
  expense_status: EXPENSE_STATUS_LABELS,
  pay_method: PAY_METHOD_LABELS,
  asset_kind: ASSET_KIND_LABELS,
  contract_cycle: CONTRACT_CYCLE_LABELS,
  income_kind: INCOME_KIND_LABELS,
  income_status: INCOME_STATUS_LABELS,
  audience: AUDIENCE_LABELS,
  disclosure_status: DISCLOSURE_STATUS_LABELS,
  proposal_status: PROPOSAL_STATUS_LABELS,
  matter: MATTER_LABELS,
  decision_rule: DECISION_RULE_LABELS,
  ballot_channel: BALLOT_CHANNEL_LABELS,
  ballot_status: BALLOT_STATUS_LABELS,
  age_band: AGE_BAND_LABELS,
  residence: RESIDENCE_LABELS,
  care_tag: CARE_TAG_LABELS,
  campaign_type: CAMPAIGN_TYPE_LABELS,
  campaign_status: CAMPAIGN_STATUS_LABELS,
  visit_how: VISIT_HOW_LABELS,
  visit_method: VISIT_METHOD_LABELS,
  visit_status: VISIT_STATUS_LABELS,
  access_action: ACCESS_ACTION_LABELS,
  consent_kind: CONSENT_KIND_LABELS,
}

module.exports = {
  ROLE_LABELS,
  RELATION_LABELS,
  STATUS_LABELS,
  ISSUE_CATEGORY_LABELS,
  ISSUE_STATUS_LABELS,
  ISSUE_ACTION_BUTTONS,
  BILL_STATUS_LABELS,
  READING_STATUS_LABELS,
  CHANGE_KIND_LABELS,
  PAYMENT_STATUS_LABELS,
  PAYMENT_DISPUTED_MESSAGE,
  ANOMALY_KIND_LABELS,
  REFUND_STATUS_LABELS,
  OFFLINE_METHOD_LABELS,
  OFFLINE_STATUS_LABELS,
  OCCUPANCY_LABELS,
  TENURE_LABELS,
  AUDIT_ACTION_LABELS,
  EXPENSE_CATEGORY_LABELS,
  EXPENSE_STATUS_LABELS,
  PAY_METHOD_LABELS,
  ASSET_KIND_LABELS,
  CONTRACT_CYCLE_LABELS,
  INCOME_KIND_LABELS,
  INCOME_STATUS_LABELS,
  AUDIENCE_LABELS,
  DISCLOSURE_STATUS_LABELS,
  PROPOSAL_STATUS_LABELS,
  MATTER_LABELS,
  DECISION_RULE_LABELS,
  BALLOT_CHANNEL_LABELS,
  BALLOT_STATUS_LABELS,
  AGE_BAND_LABELS,
  RESIDENCE_LABELS,
  CARE_TAG_LABELS,
  CAMPAIGN_TYPE_LABELS,
  CAMPAIGN_STATUS_LABELS,
  VISIT_HOW_LABELS,
  VISIT_METHOD_LABELS,
  VISIT_STATUS_LABELS,
  ACCESS_ACTION_LABELS,
  CONSENT_KIND_LABELS,
  SCOPE_LABELS,
  RELATION_OPTIONS,
  OFFLINE_METHOD_OPTIONS,
  BUILT_IN,
}
