/**
 * @jest-environment jsdom
 *
 * 业主表决 rendered: the list's 待您投票, the ballot as big full-width buttons
 * that ask first and then show the receipt in big type, the result's
 * sentences with 通过 and my receipt highlighted, and the home page's entry.
 */
const { installWx, signedIn, sentBody } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { RESIDENT } = require('../helpers/fixtures')

const LIST = loadPage('proposals')
const DETAIL = loadPage('proposal')
const RESULT = loadPage('proposal-result')
const HOME = loadPage('index')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

async function waitFor(condition) {
  for (let i = 0; i < 200 && !condition(); i += 1) await sleep(5)
  expect(condition()).toBeTruthy()
}

const HOUR = 3600 * 1000
const shanghai = (ms) => new Date(Date.now() + ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00'

const OPTIONS = [
  { choice: 'yes', label: '同意' },
  { choice: 'no', label: '反对' },
  { choice: 'abstain', label: '弃权' },
]

const proposal = (fields = {}) =>
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
      notice_ends_at: shanghai(-2 * 24 * HOUR),
      closes_at: shanghai(5 * 24 * HOUR),
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
      my_households: [{ household_id: 11, label: '1-2-301', area_m2: '72.00', on_roll: true, ballot: null }],
      changeable_until: shanghai(5 * 24 * HOUR),
    },
    fields
  )

const BALLOT = { choice: 'no', choice_label: '反对', receipt: 'HJ6KL7MN8P', channel: 'app', status: 'counted', cast_at: shanghai(0) }

test('the list shows 待您投票 on the proposal that needs my vote', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/compounds/yangguang/proposals?status=voting', {
    status: 200,
    body: { items: [proposal(), proposal({ id: 6, title: '增设充电桩', my_vote_needed: false })] },
  })
  const page = renderPage(LIST)
  page.instance.onLoad({})
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.title')).toEqual(['物业费调整为每月 0.40 元/平方米', '增设充电桩'])
  expect(texts(page, '.vote-needed')).toEqual(['待您投票'])
  expect(attr(page.querySelector('.item'), 'aria-label')).toContain('待您投票')
  expect(page.querySelector('.draft')).toBeUndefined()
})

test('a ballot: one big button per option; a tap asks, then the receipt shows big with its hint', async () => {
  server.on('GET /api/v1/proposals/5', { status: 200, body: proposal() }, { status: 200, body: proposal({ my_vote_needed: false, my_households: [{ household_id: 11, label: '1-2-301', area_m2: '72.00', on_roll: true, ballot: BALLOT }] }) })
  server.on('GET /api/v1/proposals/5/comments', { status: 200, body: { items: [], next_cursor: null } })
  server.on('POST /api/v1/proposals/5/ballots', { status: 200, body: { receipt: 'HJ6KL7MN8P', household_id: 11, choice: 'no', replaced: false } })
  const page = renderPage(DETAIL)
  page.instance.onLoad({ id: '5' })
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.vote-button')).toEqual(['同意', '反对', '弃权'])
  expect(texts(page, '.change-until')[0]).toMatch(/^可在 (\d+年)?\d+月\d+日 \d\d:\d\d 前更改$/)
  expect(texts(page, '.rule-line')).toHaveLength(2)
  expect(texts(page, '.turnout .line')).toEqual(['面积：300.00 m²（共 1000.00 m²）', '人数：4 人（共 12 人）'])

  page.querySelectorAll('.vote-button')[1].dispatchEvent('tap')
  await waitFor(() => wx.showModal.mock.calls.length === 1)
  expect(wx.showModal.mock.calls[0][0].content).toBe('您选择「反对」，确定提交吗？截止前可以更改')
  await waitFor(() => texts(page, '.receipt-code').length === 2)
  expect(sentBody(wx, 'POST /api/v1/proposals/5/ballots')).toEqual({ household_id: 11, choice: 'no' })
  expect(texts(page, '.receipt-code')).toEqual(['HJ6KL7MN8P', 'HJ6KL7MN8P'])
  expect(texts(page, '.receipt-hint')[0]).toBe('请记下您的回执码，结果公布后可核对')
  expect(texts(page, '.vote-button')).toEqual(['同意', '✓ 反对（您的选择）', '弃权'])
})

const RESULT_BODY = {
  eligible_area_m2: '1000.00',
  eligible_heads: 12,
  participating_area_m2: '712.00',
  participating_heads: 8,
  options: [
    { choice: 'yes', label: '同意', area_m2: '600.00', heads: 6 },
    { choice: 'no', label: '反对', area_m2: '112.00', heads: 2 },
    { choice: 'abstain', label: '弃权', area_m2: '0.00', heads: 0 },
  ],
  quorum_met: true,
  quorum_area_met: true,
  quorum_heads_met: true,
  passed: true,
  winner: 'yes',
  rule: 'majority',
  rule_label: '参与表决面积和人数均过半数同意',
  thresholds: { quorum: '2/3', pass: '1/2', pass_strictly_more: true },
  ballots: [
    { receipt: 'AB3CD4EF5G', area_m2: '112.00', choice: 'no' },
    { receipt: 'HJ6KL7MN8P', area_m2: '300.00', choice: 'yes' },
    { receipt: 'QR9ST2UV3W', area_m2: '300.00', choice: 'yes' },
  ],
  my_receipts: ['HJ6KL7MN8P'],
}

test('the result: 通过 big, the quorums as sentences, my receipt highlighted and found by search', async () => {
  server.on('GET /api/v1/proposals/5', { status: 200, body: proposal({ status: 'closed', passed: true, actions: [] }) })
  server.on('GET /api/v1/proposals/5/result', { status: 200, body: RESULT_BODY })
  const page = renderPage(RESULT)
  await page.instance.onLoad({ id: '5' })
  await sleep(0)
  expect(texts(page, '.verdict')).toEqual(['通过'])
  expect(texts(page, '.quorum .sentence')).toEqual(['参与表决面积 71.2%（需 ≥ 66.7%）✓', '参与表决人数 恰好三分之二（需 ≥ 66.7%）✓'])
  expect(texts(page, '.passing .sentence')).toEqual([
    '「同意」面积占参与表决面积 84.2%（需 > 50%）✓',
    '「同意」人数占参与表决人数 75.0%（需 > 50%）✓',
  ])
  expect(texts(page, '.receipt-row--mine .receipt-code')).toEqual(['HJ6KL7MN8P'])
  expect(texts(page, '.recount')).toEqual([
    '同意：逐张相加 600.00 m² ✓ 一致',
    '反对：逐张相加 112.00 m² ✓ 一致',
    '弃权：逐张相加 0.00 m² ✓ 一致',
  ])
  expect(texts(page, '.receipts .explain')[0]).toContain('计入的选票共 3 张')
  page.instance.onSearch({ detail: { value: 'qr9' } })
  await sleep(0)
  expect(texts(page, '.receipt-row .receipt-code')).toEqual(['QR9ST2UV3W'])
})

test('a result not ready yet is said in words with 重试', async () => {
  server.on('GET /api/v1/proposals/5', { status: 200, body: proposal() })
  server.on('GET /api/v1/proposals/5/result', { status: 409, body: { code: 'result_not_ready', message: '表决还没有结束' } })
  const page = renderPage(RESULT)
  await page.instance.onLoad({ id: '5' })
  await sleep(0)
  expect(page.querySelector('.error')).toBeDefined()
  expect(page.instance.data.error).toBe('表决还没有结束')
})

test('home: 业主表决 with how many votes wait for me, from the board', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/compounds/yangguang/board', {
    status: 200,
    body: { announcements: [], funds: [], proposals: [proposal(), proposal({ id: 6, my_vote_needed: false })] },
  })
  const page = renderPage(HOME)
  page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  const entry = page.querySelector('.decisions-entry')
  expect(attr(entry, 'aria-label')).toBe('业主表决，1 项待您投票')
  expect(texts(page, '.vote-badge')).toEqual(['1 项待您投票'])
  entry.dispatchEvent('tap')
  await sleep(0)
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/proposals/index?status=voting' })
})

const PAPER = loadPage('paper-ballot')
const EDIT = loadPage('proposal-edit')

test('纸质表决票 rendered: flats to pick first, the voted ones without a choice, big choice buttons', async () => {
  server.on('GET /api/v1/proposals/5', { status: 200, body: proposal({ actions: ['record_paper'] }) })
  server.on('GET /api/v1/proposals/5/roll', {
    status: 200,
    body: {
      items: [
        { household_id: 11, label: '1-3-101', area_m2: '85.30', voted: true, pending_paper: false },
        { household_id: 12, label: '1-3-102', area_m2: '72.00', voted: false, pending_paper: false },
      ],
    },
  })
  const page = renderPage(PAPER)
  page.instance.onLoad({ id: '5' })
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.flat-label')).toEqual(['1-3-102'])
  expect(texts(page, '.voted-line')).toEqual(['1-3-101 · 已投'])
  expect(texts(page, '.choice')).toEqual(['同意', '反对', '弃权'])
  page.querySelector('.flat').dispatchEvent('tap')
  page.querySelectorAll('.choice')[0].dispatchEvent('tap')
  await sleep(0)
  expect(texts(page, '.flat-label')).toEqual(['✓ 1-3-102'])
  expect(texts(page, '.choice')[0]).toBe('✓ 同意')
  expect(page.querySelector('.take-photo')).toBeDefined()
})

test('待核对 rendered: my own recording has no buttons, another volunteer\'s has both', async () => {
  server.on('GET /api/v1/proposals/5', { status: 200, body: proposal({ actions: ['confirm_paper'] }) })
  server.on('GET /api/v1/proposals/5/paper-ballots?status=pending', {
    status: 200,
    body: {
      items: [
        { id: 40, household_label: '1-3-202', choice: 'no', choice_label: '反对', channel: 'paper', status: 'pending', recorded_by: '李师傅', recorded_at: shanghai(-HOUR), photo: 301, mine: false },
        { id: 41, household_label: '1-3-102', choice: 'yes', choice_label: '同意', channel: 'paper', status: 'pending', recorded_by: '王姐', recorded_at: shanghai(-HOUR), photo: 302, mine: true },
      ],
    },
  })
  server.on('GET /api/v1/uploads/301', { status: 200 })
  server.on('GET /api/v1/uploads/302', { status: 200 })
  const page = renderPage(PAPER)
  page.instance.onLoad({ id: '5', tab: 'pending' })
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.pending-head')).toEqual(['1-3-202：「反对」', '1-3-102：「同意」'])
  expect(page.querySelectorAll('.confirm')).toHaveLength(1)
  expect(page.querySelectorAll('.pending-photo')).toHaveLength(2)
})

test('起草 rendered: an election asks for candidates instead of an effect', async () => {
  server.on('GET /api/v1/compounds/yangguang/fee-items', { status: 200, body: { items: [] } })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=proposed', { status: 200, body: { items: [], next_cursor: null } })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=approved', { status: 200, body: { items: [], next_cursor: null } })
  const page = renderPage(EDIT)
  await page.instance.onLoad({ compound: 'yangguang' })
  await sleep(0)
  expect(page.querySelector('.effect-picker')).toBeDefined()
  expect(page.querySelector('.candidate-input')).toBeUndefined()
  page.instance.onMatter({ detail: { value: '2' } })
  await sleep(0)
  expect(page.querySelectorAll('.candidate-input')).toHaveLength(2)
  expect(page.querySelector('.effect-picker')).toBeUndefined()
})

test('the committee\'s steps rendered: 公示 opens its form, 开始表决 its date and time pickers', async () => {
  const draft = proposal({ status: 'draft', status_label: '草稿', actions: ['edit', 'publish', 'withdraw'], turnout: null, my_households: [] })
  server.on('GET /api/v1/proposals/5', { status: 200, body: draft })
  server.on('GET /api/v1/proposals/5/comments', { status: 200, body: { items: [], next_cursor: null } })
  const page = renderPage(DETAIL)
  page.instance.onLoad({ id: '5' })
  await page.instance.onShow()
  await sleep(0)
  expect(texts(page, '.action')).toEqual(['修改', '公示', '撤回'])
  page.querySelector('.action--publish').dispatchEvent('tap')
  await sleep(0)
  expect(page.querySelector('.notice-days')).toBeDefined()
  expect(page.querySelector('.action')).toBeUndefined()
  page.querySelector('.cancel-form').dispatchEvent('tap')
  await sleep(0)
  page.instance.setData({ proposal: Object.assign({}, page.instance.data.proposal, { buttons: [{ action: 'open', text: '开始表决', primary: true }] }) })
  await sleep(0)
  page.querySelector('.action--open').dispatchEvent('tap')
  await sleep(0)
  expect(texts(page, '.close-time')).toEqual(['时刻：20:00 ▾'])
  expect(texts(page, '.close-day')[0]).toMatch(/^日期：\d{4}-\d{2}-\d{2} ▾$/)
})
