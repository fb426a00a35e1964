// Server answers shaped like server/api/schemas (issues, people), for page tests.

const role = (name, scope, scopeId, label) => ({
  role: name,
  scope,
  scope_id: scopeId,
  compound: 'yangguang',
  compound_name: '阳光小区',
  label,
})

const HOUSEHOLD = {
  id: 11,
  compound: 'yangguang',
  compound_name: '阳光小区',
  building: 1,
  unit: 2,
  room: '301',
  floor: 3,
  area_m2: '72.00',
  occupancy: 'owner_occupied',
  relation: 'owner',
  label: '1-2-301',
}

const RESIDENT_ROLE = role('resident', 'household', 11, '1-2-301')
const LIAISON_ROLE = role('liaison', 'unit', 7, '1-3')

const COMMITTEE_ROLE = role('committee', 'compound', 1, '阳光小区')
const SUPERVISOR_ROLE = role('supervisor', 'compound', 1, '阳光小区')

const RESIDENT = { id: 1, nickname: '王阿姨', roles: [RESIDENT_ROLE], households: [HOUSEHOLD] }
const LIAISON = {
  id: 2,
  nickname: '李师傅',
  roles: [LIAISON_ROLE, RESIDENT_ROLE],
  households: [HOUSEHOLD],
}

const COMMITTEE = { id: 3, nickname: '张主任', roles: [COMMITTEE_ROLE], households: [] }
const SUPERVISOR = { id: 4, nickname: '赵会计', roles: [SUPERVISOR_ROLE], households: [] }

// GET /compounds/yangguang: building 1, unit 2 has id 5.
const COMPOUND = {
  code: 'yangguang',
  name: '阳光小区',
  address: null,
  buildings: [
    {
      number: 1,
      name: null,
      units: [
        { id: 4, number: 1 },
        { id: 5, number: 2 },
        { id: 7, number: 3 },
      ],
    },
  ],
}

const CONFIG = {
  subscribe_templates: {
    new_issue: 'tmpl-new',
    issue_status: 'tmpl-status',
    return_visit: 'tmpl-visit',
    reminder: 'tmpl-remind',
  },
  categories: {
    repair: '报修',
    hazard: '安全隐患',
    dispute: '矛盾纠纷',
    care: '困难帮扶',
    suggestion: '建议',
    other: '其他',
  },
  statuses: {
    submitted: '待受理',
    accepted: '处理中',
    referred: '已转办',
    resolved: '已解决',
    closed: '已完成',
    rejected: '不予受理',
    duplicate: '重复事项',
  },
}

function issueItem(overrides = {}) {
  return Object.assign(
    {
      id: 3,
      category: 'repair',
      category_label: '报修',
      title: '楼道灯不亮',
      status: 'submitted',
      status_label: '待受理',
      location: '1号楼2单元',
      created_at: '2024-12-01T15:01:00+08:00',
      overdue: false,
      photo_count: 0,
      latest: { action: 'submit', action_label: '提交', note: null, created_at: '2024-12-01T15:01:00+08:00' },
    },
    overrides
  )
}

function issueDetail(overrides = {}) {
  return Object.assign(
    issueItem(),
    {
      description: '三楼到五楼的灯都不亮，\n晚上老人上下楼很危险。',
      show_name: false,
      reporter_name: '王阿姨',
      on_behalf_name: null,
      track: null,
      referral: null,
      rating: null,
      feedback: null,
      reject_reason: null,
      duplicate_of: null,
      response_due_at: '2024-12-02T15:01:00+08:00',
      resolution_due_at: '2024-12-08T15:01:00+08:00',
      accepted_at: null,
      resolved_at: null,
      closed_at: null,
      photos: [],
      timeline: [
        {
          id: 1,
          action: 'submit',
          action_label: '提交',
          from_status: null,
          to_status: 'submitted',
          actor_name: '王阿姨',
          actor_role: 'resident',
          note: null,
          data: null,
          photos: [],
          created_at: '2024-12-01T15:01:00+08:00',
        },
      ],
      actions: [],
      can_answer_return_visit: false,
      // The viewer reported it (or filed it for a neighbour); a test says so.
      is_reporter: false,
    },
    overrides
  )
}

// Fees, shaped like server/api/schemas/money.py.
function bill(overrides = {}) {
  return Object.assign(
    {
      id: 1,
      household_id: 11,
      item: 'self_governance',
      item_name: '自治管理费',
      period: '2026-12',
      amount_fen: 2533,
      status: 'unpaid',
      basis: { area_m2: '72.00', rate: '0.35' },
      paid_at: null,
    },
    overrides
  )
}

function payment(overrides = {}) {
  return Object.assign(
    {
      id: 55,
      out_trade_no: 'LL20261205100000A1B2',
      total_fen: 5066,
      status: 'pending',
      created_at: '2026-12-05T10:00:00+08:00',
      paid_at: null,
      closed_at: null,
    },
    overrides
  )
}

// GET /compounds/{code}/payment-anomalies: one open anomaly; `details` are
// merged over the order number.
function anomaly(overrides = {}) {
  const details = Object.assign({ out_trade_no: 'LL20261205100000A1B2' }, overrides.details)
  return Object.assign(
    {
      id: 7,
      payment_id: 55,
      kind: 'double_payment',
      created_at: '2026-12-05T10:05:00+08:00',
      resolved_at: null,
      resolution: null,
      refunded_fen: null,
    },
    overrides,
    { details }
  )
}

const validationError = (fields) => ({
  status: 400,
  body: {
    code: 'validation_error',
    message: '提交的内容有误，请检查后重试',
    details: { location: 'json', fields },
  },
})

// GET /me/subscriptions: sends left per handler message ({new_issue: 3,
// reminder: 0}); `channels` overrides a message's channel (official_account).
function pushStatus(left, { linked = false, accountEnabled = linked, channels = {} } = {}) {
  const templates = { new_issue: 'tmpl-new', issue_status: 'tmpl-status', return_visit: 'tmpl-visit', reminder: 'tmpl-remind' }
  return {
    official_account_enabled: accountEnabled,
    official_account_linked: linked,
    messages: Object.keys(templates).map((name) => {
      const remaining = left[name] || 0
      return {
        name,
        template_id: templates[name],
        channel: channels[name] || (remaining > 0 ? 'subscribe' : 'inbox'),
        remaining,
      }
    }),
  }
}

// GET /compounds/yangguang/reachability, as the server orders it (gaps first).
function volunteer(overrides = {}) {
  return Object.assign(
    {
      user_id: 21,
      name: '李师傅',
      role: 'liaison',
      place: null,
      channel: 'subscribe',
      new_issue_left: 3,
      reminder_left: 1,
      never_signed_in: false,
    },
    overrides
  )
}

function reachability(overrides = {}) {
  return Object.assign(
    {
      compound: 'yangguang',
      compound_name: '阳光小区',
      official_account_enabled: false,
      counts: { no_liaison: 1, inbox_only: 1, low: 1, ok: 1 },
      units: [
        { unit_id: 7, label: '1-3', status: 'no_liaison', liaisons: [] },
        {
          unit_id: 5,
          label: '1-2',
          status: 'inbox_only',
          liaisons: [volunteer({ user_id: 22, name: '王大姐', channel: 'inbox', new_issue_left: 0, never_signed_in: true })],
        },
        { unit_id: 8, label: '2-1', status: 'low', liaisons: [volunteer({ user_id: 23, name: '赵叔', new_issue_left: 1 })] },
        { unit_id: 4, label: '1-1', status: 'ok', liaisons: [volunteer({ channel: 'official_account', new_issue_left: 0 })] },
      ],
      building_leads: [
        volunteer({ user_id: 31, name: '孙楼长', role: 'building_lead', place: '1号楼', channel: 'subscribe', reminder_left: 2 }),
      ],
      committee: [volunteer({ user_id: 3, name: '张主任', role: 'committee', channel: 'inbox', new_issue_left: 0 })],
    },
    overrides
  )
}

module.exports = {
  role,
  HOUSEHOLD,
  RESIDENT_ROLE,
  LIAISON_ROLE,
  COMMITTEE_ROLE,
  SUPERVISOR_ROLE,
  RESIDENT,
  LIAISON,
  COMMITTEE,
  SUPERVISOR,
  COMPOUND,
  CONFIG,
  issueItem,
  issueDetail,
  bill,
  payment,
  anomaly,
  validationError,
  pushStatus,
  volunteer,
  reachability,
}
