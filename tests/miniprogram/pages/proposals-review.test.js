/**
 * @jest-environment node
 *
 * 业主表决, reviewed against the server (branches wt-proposals, wt-ballots)
 * and a 75-year-old owner: a refusal that 重试 cannot change is said in plain
 * words (a tenant opening the notice push); a vote tapped after the deadline
 * on a page left open is stopped before anything is asked or sent; a flat
 * with a paper ballot waiting is told which one will count; a closed vote
 * says what became of a flat's ballot; the result never marks ✓ what the
 * server says was not met; the paper ballot's refusals land where they belong.
 */
const { installWx, requestsMade, sentBody, signedIn, pickPhotos } = require('../helpers/wx')
const { createPage, tap, input } = require('../helpers/page')
const { RESIDENT } = require('../helpers/fixtures')
const { resultView } = require('../../../miniprogram/utils/decisions')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))
const HOUR = 3600 * 1000
const shanghai = (ms) => new Date(Date.now() + ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00'

const OPTIONS = [
  { choice: 'yes', label: '同意' },
  { choice: 'no', label: '反对' },
  { choice: 'abstain', label: '弃权' },
]

const FLAT = { household_id: 11, label: '1-2-301', area_m2: '72.00', on_roll: true, ballot: null }

const detail = (fields = {}) =>
  Object.assign(
    {
      id: 5,
      compound: 'yangguang',
      title: '物业费调整为每月 0.40 元/平方米',
      matter: 9,
      matter_label: '有关共有和共同管理权利的其他重大事项',
      status: 'voting',
      status_label: '表决中',
      version: 1,
      published_at: shanghai(-10 * 24 * HOUR),
      notice_ends_at: shanghai(-2 * 24 * HOUR),
      closes_at: shanghai(5 * 24 * HOUR),
      closed_at: null,
      passed: null,
      comment_count: 0,
      my_vote_needed: true,
      body: '物业费从 0.35 元调整为 0.40 元。',
      rule: 'majority',
      rule_label: '参与表决面积和人数均过半数同意',
      options: OPTIONS,
      effect: { kind: 'none' },
      effect_text: '',
      attachments: [],
      versions: [],
      actions: ['vote'],
      turnout: { eligible_area_m2: '1000.00', eligible_heads: 12, participating_area_m2: '300.00', participating_heads: 4 },
      my_households: [FLAT],
      changeable_until: shanghai(5 * 24 * HOUR),
      result: null,
    },
    fields
  )

const OWNERS_ONLY = { status: 403, body: { code: 'owners_only', message: '表决事项只对本小区业主公开' } }

async function openProposal(...answers) {
  server.on('GET /api/v1/proposals/5', ...answers.map((a) => (typeof a.status === 'number' ? a : { status: 200, body: a })))
  server.on('GET /api/v1/proposals/5/comments', { status: 200, body: { items: [], next_cursor: null } })
  const page = createPage('proposal')
  page.onLoad({ id: '5' })
  await page.onShow()
  return page
}

// ------------------------------------------------------------------ refusals

test('a tenant opening the notice push is told plainly who votes, not offered 重试', async () => {
  const page = await openProposal(OWNERS_ONLY)
  expect(page.data.error).toBe('')
  expect(page.data.denied).toMatch(/^业主表决只对本小区的业主公开。租户和家属不参加表决/)
  expect(requestsMade(wx)).not.toContain('GET /api/v1/proposals/5/comments')
})

test('the list, for a tenant: the same plain words, no error card', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/compounds/yangguang/proposals?status=voting', OWNERS_ONLY)
  const page = createPage('proposals')
  page.onLoad({})
  await page.onShow()
  expect(page.data.error).toBe('')
  expect(page.data.denied).toMatch(/租户和家属不参加表决/)
  expect(page.data.empty).toBe(false)
})

test('the result, for a tenant: the same plain words', async () => {
  server.on('GET /api/v1/proposals/5', OWNERS_ONLY)
  server.on('GET /api/v1/proposals/5/result', OWNERS_ONLY)
  const page = createPage('proposal-result')
  await page.onLoad({ id: '5' })
  expect(page.data.error).toBe('')
  expect(page.data.denied).toMatch(/租户和家属不参加表决/)
})

test('paper ballots, for someone who is no volunteer there: said plainly', async () => {
  server.on('GET /api/v1/proposals/5', { status: 200, body: detail({ actions: [] }) })
  server.on('GET /api/v1/proposals/5/roll', { status: 403, body: { code: 'volunteers_only', message: '只有联络员、楼长或业委会可以查看表决名册' } })
  const page = createPage('paper-ballot')
  page.onLoad({ id: '5' })
  await page.onShow()
  expect(page.data.error).toBe('')
  expect(page.data.denied).toBe('纸质表决票只由本单元的联络员、楼长和业委会录入和核对。')
})

test('another error still shows the error card with 重试', async () => {
  const page = await openProposal({ status: 500, body: { code: 'internal', message: '服务器出错了' } })
  expect(page.data.denied).toBe('')
  expect(page.data.error).toBe('服务器出错了')
})

// ------------------------------------------------------------------ the deadline

test('a vote tapped on a page left open past the deadline: said, nothing asked or sent, read again', async () => {
  const page = await openProposal(detail({ closes_at: shanghai(-60 * 1000), changeable_until: shanghai(-60 * 1000) }), detail({ actions: [] }))
  await page.vote(tap({ household: 11, choice: 'yes' }))
  expect(requestsMade(wx)).not.toContain('POST /api/v1/proposals/5/ballots')
  expect(wx.showModal).toHaveBeenCalledTimes(1)
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '投票已截止', showCancel: false })
  expect(wx.showModal.mock.calls[0][0].content).toMatch(/^投票已于 (\d+年)?\d+月\d+日 \d\d:\d\d 截止，不能再投票或更改/)
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/proposals/5')).toHaveLength(2)
  expect(page.data.proposal.canVote).toBe(false)
})

test('the deadline passing while the question is open: nothing is sent', async () => {
  const page = await openProposal(detail({ closes_at: shanghai(5 * 24 * HOUR) }), detail({ actions: [] }))
  const realNow = Date.now
  wx.showModal.mockImplementationOnce((options) => {
    Date.now = () => realNow() + 6 * 24 * HOUR
    setTimeout(() => options.success({ confirm: true, cancel: false }), 0)
  })
  try {
    await page.vote(tap({ household: 11, choice: 'yes' }))
  } finally {
    Date.now = realNow
  }
  expect(requestsMade(wx)).not.toContain('POST /api/v1/proposals/5/ballots')
  expect(wx.showModal.mock.calls[1][0].title).toBe('投票已截止')
})

test('a flat with a paper ballot waiting: the question says the paper ballot counts once confirmed', async () => {
  const pending = Object.assign({}, FLAT, {
    ballot: { choice: 'no', choice_label: '反对', receipt: null, channel: 'paper', status: 'pending', cast_at: shanghai(-HOUR) },
  })
  server.on('POST /api/v1/proposals/5/ballots', { status: 200, body: { receipt: 'HJ6KL7MN8P', household_id: 11, choice: 'yes', replaced: false } })
  const page = await openProposal(detail({ my_households: [pending] }))
  await page.vote(tap({ household: 11, choice: 'yes' }))
  expect(wx.showModal.mock.calls[0][0].content).toBe(
    '您选择「同意」，确定提交吗？截止前可以更改。志愿者录入的纸质票「反对」还在核对，核对后以纸质票为准'
  )
})

test('an owner of two flats sees which flat the new receipt is for', async () => {
  const two = detail({ my_households: [FLAT, Object.assign({}, FLAT, { household_id: 12, label: '1-2-302' })] })
  server.on('POST /api/v1/proposals/5/ballots', { status: 200, body: { receipt: 'HJ6KL7MN8P', household_id: 12, choice: 'no', replaced: false } })
  const page = await openProposal(two)
  await page.vote(tap({ household: 12, choice: 'no' }))
  expect(page.data).toMatchObject({ justVoted: 'HJ6KL7MN8P', justVotedFlat: '1-2-302' })
})

test('a comment refused because the notice is over: said, and the page read again', async () => {
  const notice = detail({ status: 'notice', actions: ['comment'], turnout: null, my_households: [] })
  server.on('POST /api/v1/proposals/5/comments', { status: 409, body: { code: 'comments_closed', message: '公示已经结束，不能再提意见' } })
  const page = await openProposal(notice, detail({ actions: [] }))
  page.onCommentInput({ detail: { value: '希望分两年调整' } })
  await page.sendComment()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '公示已结束', content: '公示已经结束，不能再提意见' })
  expect(page.data.proposal.canComment).toBe(false)
})

// ------------------------------------------------------------------ the result

const RESULT = {
  eligible_area_m2: '1000.00',
  eligible_heads: 12,
  participating_area_m2: '800.00',
  participating_heads: 9,
  options: [
    { choice: 'yes', label: '同意', area_m2: '500.00', heads: 5, meets_rule: false },
    { choice: 'no', label: '反对', area_m2: '300.00', heads: 4, meets_rule: false },
  ],
  quorum_met: true,
  quorum_area_met: true,
  quorum_heads_met: true,
  passed: false,
  winner: null,
  rule: 'majority',
  rule_label: '过半数',
  thresholds: { quorum: '2/3', pass: '1/2', pass_strictly_more: true },
  uncounted_paper: 0,
  effect_note: null,
  ballots: [],
  my_receipts: [],
}

test('the passing lines follow the server: no ✓ where it says the option did not meet the rule', () => {
  const view = resultView(RESULT, OPTIONS)
  expect(view.passing.map((line) => line.ok)).toEqual([false, false])
  expect(view.passing.every((line) => line.text.endsWith('✗'))).toBe(true)
  const agreed = resultView(Object.assign({}, RESULT, { options: [Object.assign({}, RESULT.options[0], { meets_rule: true }), RESULT.options[1]] }), OPTIONS)
  expect(agreed.passing.map((line) => line.ok)).toEqual([true, true])
})

// ------------------------------------------------------------------ paper ballots

const ROLL = {
  items: [
    { household_id: 12, label: '1-3-102', area_m2: '72.00', voted: false, pending_paper: false },
    { household_id: 14, label: '1-3-202', area_m2: '72.00', voted: false, pending_paper: false },
  ],
}

async function readyToRecord(refusal) {
  server.on('GET /api/v1/proposals/5', { status: 200, body: detail({ actions: ['record_paper'] }) }, { status: 200, body: detail({ status: 'closed', actions: [] }) })
  server.on('GET /api/v1/proposals/5/roll', { status: 200, body: ROLL })
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 301 } })
  server.on('POST /api/v1/proposals/5/paper-ballots', refusal)
  const page = createPage('paper-ballot')
  page.onLoad({ id: '5' })
  await page.onShow()
  page.pickFlat(tap({ id: 12 }))
  page.pickChoice(tap({ choice: 'yes' }))
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/paper.jpg', size: 2000 }])
  await page.takePhoto()
  await page.submit()
  await settle()
  return page
}

test('a paper ballot refused because the vote closed meanwhile: said, and the page shows it is over', async () => {
  const page = await readyToRecord({ status: 409, body: { code: 'voting_closed', message: '表决已经结束，不能再投票' } })
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '没有录入', content: '表决已经结束，不能再投票' })
  expect(page.data.voting).toBe(false)
  expect(page.data.householdId).toBe(0)
})

test('a photo the server refuses is said under the photo', async () => {
  const page = await readyToRecord({ status: 400, body: { code: 'photo_invalid', message: '照片无效，请重新拍照' } })
  expect(page.data.errors.photo).toBe('照片无效，请重新拍照')
  expect(page.data.formError).toBe('请重新拍照后再提交')
})

// ------------------------------------------------------------------ the draft form

const FEES = { items: [{ code: 'property', name: '物业费', kind: 'per_area', rate: '0.35', cycle: 'monthly', active: true }] }
const EXPENSES = { items: [{ id: 8, purpose: '更换电梯', amount_fen: 12000000, status: 'approved', large: true }], next_cursor: null }

async function draftWith(effectIndex, refusal) {
  server.on('GET /api/v1/compounds/yangguang/fee-items', { status: 200, body: FEES })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=proposed', { status: 200, body: { items: [], next_cursor: null } })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=approved', { status: 200, body: EXPENSES })
  server.on('POST /api/v1/compounds/yangguang/proposals', refusal)
  const page = createPage('proposal-edit')
  await page.onLoad({ compound: 'yangguang' })
  page.onInput(input('title', '更换电梯'))
  page.onInput(input('body', '电梯已用 20 年'))
  page.onEffect({ detail: { value: String(effectIndex) } })
  page.onInput(input('rate', '0.40'))
  await page.submit()
  return page
}

test('an expense already tied to another proposal: said under the expense', async () => {
  const page = await draftWith(2, { status: 409, body: { code: 'expense_taken', message: '这笔支出已经在另一个表决事项里' } })
  expect(page.data.errors.expense).toBe('这笔支出已经在另一个表决事项里')
  expect(page.data.formError).toBe('请按提示修改后再提交')
})

test('a rate the server refuses (nested under effect): said under the rate', async () => {
  const page = await draftWith(1, {
    status: 400,
    body: { code: 'validation_error', message: '填写有误', details: { location: 'json', fields: { effect: { rate: ['单价格式不对'] } } } },
  })
  expect(page.data.errors.rate).toBe('单价格式不对')
  const period = await draftWith(1, { status: 400, body: { code: 'period_invalid', message: '起始月份不能早于已出账的月份' } })
  expect(period.data.errors.period).toBe('起始月份不能早于已出账的月份')
})

test('a refusal that belongs to no field stays on the form', async () => {
  const page = await draftWith(0, { status: 409, body: { code: 'compound_archived', message: '小区已归档' } })
  expect(page.data.formError).toBe('小区已归档')
})

// ------------------------------------------------------------------ 开始表决

test('开始表决: the last day offered is within the server\'s 90 days at any time of day; beyond is refused before sending', async () => {
  const notice = detail({ status: 'notice', actions: ['open', 'withdraw'], turnout: null, my_households: [] })
  const page = await openProposal(notice)
  page.onAction(tap({ action: 'open' }))
  const last = Date.parse(`${page.data.lastDay}T23:59:00+08:00`)
  expect(last).toBeLessThanOrEqual(Date.now() + 90 * 24 * HOUR)
  const tooFar = new Date(Date.now() + 91 * 24 * HOUR + 8 * HOUR).toISOString().slice(0, 10)
  page.onCloseDay({ detail: { value: tooFar } })
  await page.submitOpen()
  expect(page.data.formError).toBe('截止时间最多在 90 天以内')
  expect(requestsMade(wx)).not.toContain('POST /api/v1/proposals/5/open')
})

test('a revision keeps the expense the proposal names, even when the list does not offer it', async () => {
  const tied = detail({ status: 'notice', effect: { kind: 'expense', expense_id: 3 }, effect_text: '通过后，同意支出「外墙维修」¥86,000.00' })
  server.on('GET /api/v1/proposals/5', { status: 200, body: tied })
  server.on('GET /api/v1/compounds/yangguang/fee-items', { status: 200, body: FEES })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=proposed', { status: 200, body: { items: [], next_cursor: null } })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=approved', { status: 200, body: EXPENSES })
  server.on('PATCH /api/v1/proposals/5', { status: 200, body: tied })
  const page = createPage('proposal-edit')
  await page.onLoad({ id: '5' })
  expect(page.data.expenses[page.data.expenseIndex]).toEqual({ value: 3, label: '本事项原定：通过后，同意支出「外墙维修」¥86,000.00' })
  page.onInput(input('body', '补充了三家报价'))
  page.onInput(input('note', '补充报价'))
  await page.submit()
  expect(sentBody(wx, 'PATCH /api/v1/proposals/5')).toEqual({ body: '补充了三家报价', note: '补充报价' })
})

test('a draft offers the large expenses still proposed or approved, each status asked on its own', async () => {
  server.on('GET /api/v1/compounds/yangguang/fee-items', { status: 200, body: FEES })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=proposed', {
    status: 200,
    body: { items: [{ id: 12, purpose: '加装监控', amount_fen: 6000000, status: 'proposed', large: true }], next_cursor: null },
  })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=approved', { status: 200, body: EXPENSES })
  const page = createPage('proposal-edit')
  await page.onLoad({ compound: 'yangguang' })
  expect(page.data.expenses.map((e) => e.value)).toEqual([12, 8])
})

test('an election without the quorum elects nobody, whatever option met the passing rule', () => {
  const candidates = [
    { choice: 'c1', label: '王建国' },
    { choice: 'c2', label: '李秀英' },
  ]
  const short = Object.assign({}, RESULT, {
    participating_area_m2: '500.00',
    participating_heads: 5,
    options: [
      { choice: 'c1', label: '王建国', area_m2: '400.00', heads: 4, meets_rule: true },
      { choice: 'c2', label: '李秀英', area_m2: '100.00', heads: 1, meets_rule: false },
    ],
    quorum_met: false,
    quorum_area_met: false,
    quorum_heads_met: false,
    passed: false,
    winner: 'c1',
  })
  const view = resultView(short, candidates)
  expect(view.verdict).toBe('未通过')
  expect(view.winner).toBe('')
  expect(view.rows.filter((r) => r.winner)).toEqual([])
  const elected = resultView(Object.assign({}, short, { quorum_met: true, quorum_area_met: true, quorum_heads_met: true, passed: true }), candidates)
  expect(elected.winner).toBe('王建国')
})

test('公示 refused as too short: the compound\'s minimum from the server is put in the box, the form stays', async () => {
  const draft = detail({ status: 'draft', actions: ['edit', 'publish', 'withdraw'], turnout: null, my_households: [] })
  server.on('POST /api/v1/proposals/5/publish', {
    status: 400,
    body: { code: 'notice_too_short', message: '公示期不能少于 10 天', details: { min: 10 } },
  })
  const page = await openProposal(draft, draft)
  page.onAction(tap({ action: 'publish' }))
  await page.submitPublish()
  expect(page.data).toMatchObject({ form: 'publish', noticeDays: '10', formError: '本小区公示期不能少于 10 天，已改为 10 天，请再点「公示」。' })
})

// ------------------------------------------------------------------ the check list

async function openResult(actions) {
  server.on('GET /api/v1/proposals/5', { status: 200, body: detail({ status: 'closed', actions }) })
  server.on('GET /api/v1/proposals/5/result', { status: 200, body: RESULT })
  wx.openDocument = jest.fn((options) => setTimeout(() => options.success({}), 0))
  const page = createPage('proposal-result')
  await page.onLoad({ id: '5' })
  return page
}

test('导出核对清单 only where the server offers audit: downloaded with the bearer header and opened', async () => {
  const owner = await openResult([])
  expect(owner.data.canAudit).toBe(false)
  await owner.exportAudit()
  expect(requestsMade(wx)).not.toContain('GET /api/v1/proposals/5/audit?format=xlsx')

  server.on('GET /api/v1/proposals/5/audit?format=xlsx', { status: 200, file: 'wxfile://tmp/audit-5.xlsx' })
  const supervisor = await openResult(['audit'])
  expect(supervisor.data.canAudit).toBe(true)
  await supervisor.exportAudit()
  expect(wx.downloadFile.mock.calls[0][0].header.Authorization).toBe('Bearer valid-token')
  expect(wx.openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: 'wxfile://tmp/audit-5.xlsx', fileType: 'xlsx' }))
  expect(supervisor.data.downloading).toBe(false)
})

test('a check list that cannot be downloaded says so', async () => {
  server.on('GET /api/v1/proposals/5/audit?format=xlsx', { fail: 'timeout' })
  const page = await openResult(['audit'])
  await page.exportAudit()
  expect(wx.openDocument).not.toHaveBeenCalled()
  expect(page.data.downloading).toBe(false)
})
