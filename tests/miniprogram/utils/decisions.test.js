/**
 * @jest-environment node
 *
 * Owners' decisions as the pages show them: areas from decimal strings in
 * integers, shares rounded down and thresholds up so a figure never looks met
 * when it is not, and the quorum sentences at every boundary of art. 278.
 */
const d = require('../../../miniprogram/utils/decisions')
const { todayInShanghai } = require('../../../miniprogram/utils/format')

test('areas are read digit by digit into hundredths of a m²', () => {
  expect(d.areaCents('85.30')).toBe(8530)
  expect(d.areaCents('85.3')).toBe(8530)
  expect(d.areaCents('85')).toBe(8500)
  expect(d.areaCents('0.07')).toBe(7)
  expect(d.areaCents('1.005')).toBeNull()
  expect(d.areaCents('-1')).toBeNull()
  expect(d.centsText(8530)).toBe('85.30')
  expect(d.centsText(7)).toBe('0.07')
})

test('a share is rounded down, a threshold up', () => {
  expect(d.percentDown(2, 3)).toBe('66.6%')
  expect(d.percentDown(712, 1000)).toBe('71.2%')
  expect(d.percentDown(1, 2)).toBe('50.0%')
  expect(d.percentDown(0, 0)).toBe('0%')
  expect(d.percentDown(999999, 1000000)).toBe('99.9%')
  expect(d.thresholdPercent({ num: 2, den: 3 })).toBe('66.7%')
  expect(d.thresholdPercent({ num: 3, den: 4 })).toBe('75%')
  expect(d.thresholdPercent({ num: 1, den: 2 })).toBe('50%')
  expect(d.floorDiv(10 ** 15 - 1, 10 ** 15)).toBe(0)
})

const TWO_THIRDS = { num: 2, den: 3 }

test('the quorum sentence of the issue', () => {
  expect(d.shareLine('参与表决面积', 712, 1000, TWO_THIRDS, { met: true })).toEqual({
    text: '参与表决面积 71.2%（需 ≥ 66.7%）✓',
    ok: true,
  })
})

test('exactly two thirds is met and said in words, not as 66.6% against 66.7%', () => {
  const line = d.shareLine('参与表决人数', 20, 30, TWO_THIRDS, { met: true })
  expect(line.text).toBe('参与表决人数 恰好三分之二（需 ≥ 66.7%）✓')
})

test('one head short of two thirds is not met and looks it', () => {
  const line = d.shareLine('参与表决人数', 19, 30, TWO_THIRDS, { met: false })
  expect(line.text).toBe('参与表决人数 63.3%（需 ≥ 66.7%）✗')
  // 66.66…% of area just under the line: 66.6%, never 66.7%.
  expect(d.shareLine('参与表决面积', 666666, 1000000, TWO_THIRDS, { met: false }).text).toBe(
    '参与表决面积 66.6%（需 ≥ 66.7%）✗'
  )
})

test('just over two thirds gets more decimals so the figures agree with the ✓', () => {
  // 66.67% ≥ 2/3 (66.666…%): at one decimal it would read 66.6% against 66.7%.
  const line = d.shareLine('参与表决面积', 6667, 10000, TWO_THIRDS, { met: true })
  expect(line.text).toBe('参与表决面积 66.67%（需 ≥ 66.67%）✓')
})

test('majority is strictly more than half; three quarters is at least', () => {
  const half = { num: 1, den: 2 }
  expect(d.shareLine('同意', 50, 100, half, { strict: true }).text).toBe('同意 50.0%（需 > 50%）✗')
  expect(d.shareLine('同意', 5001, 10000, half, { strict: true }).text).toBe('同意 50.01%（需 > 50%）✓')
  const quarters = { num: 3, den: 4 }
  expect(d.shareLine('同意', 75, 100, quarters).text).toBe('同意 75.0%（需 ≥ 75%）✓')
  expect(d.shareLine('同意', 7499, 10000, quarters).text).toBe('同意 74.9%（需 ≥ 75%）✗')
})

test('the server decides the mark when it says', () => {
  expect(d.shareLine('参与表决面积', 712, 1000, TWO_THIRDS, { met: false }).ok).toBe(false)
})

const RESULT = {
  eligible_area_m2: '1000.00',
  eligible_heads: 12,
  participating_area_m2: '712.00',
  participating_heads: 8,
  options: [
    { choice: 'yes', label: '同意', area_m2: '600.00', heads: 6 },
    { choice: 'no', label: '反对', area_m2: '100.00', heads: 1 },
    { choice: 'abstain', label: '弃权', area_m2: '12.00', heads: 1 },
  ],
  quorum_met: true,
  quorum_area_met: true,
  quorum_heads_met: true,
  passed: true,
  winner: 'yes',
  rule: 'three_quarters',
  rule_label: '参与表决面积和人数均达四分之三以上同意',
  thresholds: { quorum: '2/3', pass: '3/4', pass_strictly_more: false },
  uncounted_paper: 1,
  effect_note: '已按表决结果生效',
  ballots: [
    { receipt: 'AB3CD4EF5G', area_m2: '100.00', choice: 'no' },
    { receipt: 'HJ6KL7MN8P', area_m2: '300.00', choice: 'yes' },
    { receipt: 'QR9ST2UV3W', area_m2: '300.00', choice: 'yes' },
    { receipt: 'XY4ZA5BC6D', area_m2: '12.00', choice: 'abstain' },
  ],
  my_receipts: ['HJ6KL7MN8P'],
}

test('the result: two quorums and the passing rule as sentences, options with shares of participants', () => {
  const view = d.resultView(RESULT, RESULT.options)
  expect(view.verdict).toBe('通过')
  expect(view.uncounted).toBe('还有 1 张纸质票到截止时没有核对，未计入。')
  expect(view.effectNote).toBe('已按表决结果生效')
  expect(view.quorum.map((l) => l.text)).toEqual([
    '参与表决面积 71.2%（需 ≥ 66.7%）✓',
    '参与表决人数 恰好三分之二（需 ≥ 66.7%）✓',
  ])
  expect(view.passing.map((l) => l.text)).toEqual([
    '「同意」面积占参与表决面积 84.2%（需 ≥ 75%）✓',
    '「同意」人数占参与表决人数 75.0%（需 ≥ 75%）✓',
  ])
  expect(view.rows.map((r) => `${r.label} ${r.area}（${r.areaShare}） ${r.heads}（${r.headsShare}）`)).toEqual([
    '同意 600.00 m²（84.2%） 6 人（75.0%）',
    '反对 100.00 m²（14.0%） 1 人（12.5%）',
    '弃权 12.00 m²（1.6%） 1 人（12.5%）',
  ])
})

test('without thresholds from the server the rule of the matter applies', () => {
  const view = d.resultView(Object.assign({}, RESULT, { thresholds: undefined, rule: 'majority' }), RESULT.options)
  expect(view.passing[1].text).toBe('「同意」人数占参与表决人数 75.0%（需 > 50%）✓')
})

test('the receipts: mine marked, searchable, and the areas added up again', () => {
  const view = d.receiptsView(RESULT, RESULT.options)
  expect(view.ballots.filter((b) => b.mine).map((b) => b.receipt)).toEqual(['HJ6KL7MN8P'])
  expect(view.recount.map((r) => r.text)).toEqual(['同意：逐张相加 600.00 m²', '反对：逐张相加 100.00 m²', '弃权：逐张相加 12.00 m²'])
  expect(view.recountSame).toBe(true)
  expect(d.filterReceipts(view.ballots, ' qr9 ').map((b) => b.receipt)).toEqual(['QR9ST2UV3W'])
  const wrong = d.receiptsView(Object.assign({}, RESULT, { ballots: RESULT.ballots.slice(1) }), RESULT.options)
  expect(wrong.recountSame).toBe(false)
})

test('a summary says the phase in plain words, and whether my vote is needed', () => {
  const soon = todayInShanghai(Date.now() + 2 * 24 * 3600 * 1000)
  const thisYear = todayInShanghai().slice(0, 4)
  const view = d.summaryView({
    id: 5,
    title: '物业费调整为 0.40 元',
    matter: 9,
    matter_label: '有关共有和共同管理权利的其他重大事项',
    status: 'voting',
    status_label: '表决中',
    // Two days from now at 20:00 in Shanghai (this year's dates read without the year).
    closes_at: `${soon}T20:00:00+08:00`,
    my_vote_needed: true,
  })
  const year = soon.slice(0, 4) === thisYear ? '' : `${soon.slice(0, 4)}年`
  expect(view.line).toBe(`投票截止 ${year}${Number(soon.slice(5, 7))}月${Number(soon.slice(8, 10))}日 20:00`)
  expect(view.voteNeeded).toBe(true)
  expect(view.ariaLabel).toContain('待您投票')
  expect(d.summaryView({ id: 1, title: 'x', matter: 1, status: 'notice', notice_ends_at: '2026-12-13T08:00:00+08:00' }).line).toBe('公示至 12月13日')
})

test('the home badge counts the board proposals waiting for my vote; owners and officers see the entry', () => {
  expect(d.votesNeeded({ proposals: [{ my_vote_needed: true }, { my_vote_needed: false }] })).toBe(1)
  expect(d.votesNeeded({})).toBe(0)
  expect(d.seesDecisions({ households: [{ relation: 'owner' }], roles: [] })).toBe(true)
  expect(d.seesDecisions({ households: [{ relation: 'tenant' }], roles: [] })).toBe(false)
  expect(d.seesDecisions({ households: [], roles: [{ role: 'supervisor', compound: 'yangguang' }] })).toBe(true)
})

test('fee rates: positive, at most 4 decimals', () => {
  expect(d.rateProblem('0.40')).toBe('')
  expect(d.rateProblem('0.4025')).toBe('')
  expect(d.rateProblem('0')).not.toBe('')
  expect(d.rateProblem('0.40251')).not.toBe('')
  expect(d.rateProblem('abc')).not.toBe('')
})

test('with head flags the heads are added up too: an owner of two flats is one head', () => {
  const withHeads = {
    options: [
      { choice: 'yes', label: '同意', area_m2: '144.72', heads: 1 },
      { choice: 'no', label: '反对', area_m2: '80.00', heads: 1 },
    ],
    ballots: [
      { receipt: 'AAAAAAAAAA', area_m2: '72.36', choice: 'yes', head: true },
      { receipt: 'BBBBBBBBBB', area_m2: '72.36', choice: 'yes', head: false },
      { receipt: 'CCCCCCCCCC', area_m2: '80.00', choice: 'no', head: true },
    ],
    my_receipts: [],
  }
  const view = d.receiptsView(withHeads, withHeads.options)
  expect(view.recount.map((r) => r.text)).toEqual(['同意：逐张相加 144.72 m²，1 人', '反对：逐张相加 80.00 m²，1 人'])
  expect(view.recountSame).toBe(true)
  expect(view.ballots.map((b) => b.noHead)).toEqual([false, true, false])
  const off = Object.assign({}, withHeads, { options: [Object.assign({}, withHeads.options[0], { heads: 2 }), withHeads.options[1]] })
  expect(d.receiptsView(off, off.options).recountSame).toBe(false)
})
