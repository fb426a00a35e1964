/**
 * @jest-environment jsdom
 *
 * 业主表决 rendered after the review: a tenant's plain refusal instead of an
 * error card; once closed, what became of each of my flats (no ballot, a
 * paper ballot never confirmed); a vote over while the page was open.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, sleep } = require('../helpers/render')

const DETAIL = loadPage('proposal')
const RESULT = loadPage('proposal-result')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const HOUR = 3600 * 1000
const shanghai = (ms) => new Date(Date.now() + ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00'

const OPTIONS = [
  { choice: 'yes', label: '同意' },
  { choice: 'no', label: '反对' },
]

const flat = (id, label, ballot) => ({ household_id: id, label, area_m2: '72.00', on_roll: true, ballot })
const PENDING = { choice: 'no', choice_label: '反对', receipt: null, channel: 'paper', status: 'pending', cast_at: shanghai(-HOUR) }

const proposal = (fields = {}) =>
  Object.assign(
    {
      id: 5,
      compound: 'yangguang',
      title: '物业费调整',
      matter: 9,
      matter_label: '其他重大事项',
      status: 'closed',
      status_label: '已结束',
      version: 1,
      notice_ends_at: shanghai(-9 * 24 * HOUR),
      closes_at: shanghai(-HOUR),
      closed_at: shanghai(-HOUR),
      passed: false,
      comment_count: 0,
      my_vote_needed: false,
      body: '…',
      rule: 'majority',
      rule_label: '过半数',
      options: OPTIONS,
      effect: { kind: 'none' },
      effect_text: '',
      attachments: [],
      versions: [],
      actions: [],
      turnout: null,
      my_households: [flat(11, '1-2-301', null), flat(12, '1-2-302', PENDING)],
      changeable_until: null,
    },
    fields
  )

async function show(body) {
  server.on('GET /api/v1/proposals/5', body.status === 403 ? body : { status: 200, body })
  server.on('GET /api/v1/proposals/5/comments', { status: 200, body: { items: [], next_cursor: null } })
  const page = renderPage(DETAIL)
  page.instance.onLoad({ id: '5' })
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('closed: a flat without a ballot says so; a paper ballot never confirmed says it did not count', async () => {
  const page = await show(proposal())
  expect(texts(page, '.no-ballot')).toEqual(['这套房屋没有投票。'])
  expect(texts(page, '.uncounted-paper')).toEqual(['这套房屋的纸质表决票到截止时还没有核对，没有计入。'])
  expect(texts(page, '.pending-paper').join()).not.toMatch(/核对后计入/)
  expect(page.querySelectorAll('.vote-button')).toHaveLength(0)
})

test('voting but past the deadline (the server no longer offers the vote): said, no buttons', async () => {
  const page = await show(proposal({ status: 'voting', status_label: '表决中', closed_at: null, my_households: [flat(11, '1-2-301', null)] }))
  expect(texts(page, '.vote-over')).toEqual(['投票已截止，不能再投票。'])
  expect(texts(page, '.counting-line')[0]).toMatch(/^投票已于 (\d+年)?\d+月\d+日 \d\d:\d\d 截止，正在计票，几分钟内公布结果$/)
  expect(page.querySelectorAll('.vote-button')).toHaveLength(0)
})

test('a tenant sees the plain refusal, no 重试', async () => {
  const page = await show({ status: 403, body: { code: 'owners_only', message: '表决事项只对本小区业主公开' } })
  expect(texts(page, '.denied')[0]).toMatch(/租户和家属不参加表决/)
  expect(page.querySelectorAll('.error')).toHaveLength(0)
})

test('the result without a receipt of mine says so without blaming paper ballots', async () => {
  server.on('GET /api/v1/proposals/5', { status: 200, body: proposal() })
  server.on('GET /api/v1/proposals/5/result', {
    status: 200,
    body: {
      eligible_area_m2: '1000.00',
      eligible_heads: 12,
      participating_area_m2: '300.00',
      participating_heads: 4,
      options: [
        { choice: 'yes', label: '同意', area_m2: '200.00', heads: 3, meets_rule: true },
        { choice: 'no', label: '反对', area_m2: '100.00', heads: 1, meets_rule: false },
      ],
      quorum_met: false,
      quorum_area_met: false,
      quorum_heads_met: false,
      passed: false,
      winner: null,
      rule: 'majority',
      rule_label: '过半数',
      thresholds: { quorum: '2/3', pass: '1/2', pass_strictly_more: true },
      uncounted_paper: 1,
      effect_note: null,
      ballots: [],
      my_receipts: [],
    },
  })
  const page = renderPage(RESULT)
  await page.instance.onLoad({ id: '5' })
  await sleep(0)
  expect(texts(page, '.no-receipt')).toEqual(['这次表决没有计入您家的选票（没有投票，或纸质票到截止时还没有核对）。'])
})

test('a withdrawn proposal (opened from the message) says so in plain words; the withdraw hint promises only what the server does', async () => {
  const page = await show(proposal({ status: 'withdrawn', status_label: '已撤回', closes_at: null, closed_at: null, passed: null, my_households: [] }))
  expect(texts(page, '.withdrawn-line')).toEqual(['业委会已撤回这个事项，不再公示和表决。'])
  expect(page.querySelectorAll('.result-entry')).toHaveLength(0)
  const why = await show(proposal({ status: 'withdrawn', status_label: '已撤回', closes_at: null, closed_at: null, passed: null, my_households: [], withdraw_reason: '方案需重新测算' }))
  expect(texts(why, '.withdrawn-line')).toEqual(['业委会已撤回这个事项，不再公示和表决。原因：方案需重新测算'])
  const wxml = require('fs').readFileSync(require('path').join(__dirname, '../../../miniprogram/pages/proposal/index.wxml'), 'utf8')
  expect(wxml).not.toContain('原因大家都能看到')
})
