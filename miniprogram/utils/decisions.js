// What the owners' decision pages (业主表决) show of the server's answers.
// Areas come as decimal strings ("85.30") and are turned into integer
// hundredths of a m² digit by digit, never through a float; shares are
// compared by cross-multiplying integers, so a displayed ✓/✗ can never be off.
const { label } = require('./labels')
const { formatShortTime, formatDate } = require('./format')

// ---------------------------------------------------------------- numbers

// "85.30" → 8530; "85.3" → 8530; "85" → 8500; anything else → null.
function areaCents(text) {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text == null ? '' : text).trim())
  if (!match) return null
  return Number(match[1]) * 100 + Number((match[2] || '').padEnd(2, '0'))
}

// 8530 → "85.30"
function centsText(cents) {
  const whole = Math.floor(cents / 100)
  return `${whole}.${String(cents - whole * 100).padStart(2, '0')}`
}

// "2/3" → {num: 2, den: 3}; a bad one → null.
function parseFraction(text) {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(text || ''))
  if (!match || Number(match[2]) === 0) return null
  return { num: Number(match[1]), den: Number(match[2]) }
}

// floor(a / b) for non-negative integers, exact (the float quotient corrected).
function floorDiv(a, b) {
  let q = Math.floor(a / b)
  while (q * b > a) q -= 1
  while ((q + 1) * b <= a) q += 1
  return q
}

const ceilDiv = (a, b) => {
  const q = floorDiv(a, b)
  return q * b === a ? q : q + 1
}

// A number of 10^-digits percent as text: (6662, 2) → "66.62".
function scaledText(scaled, digits) {
  if (!digits) return String(scaled)
  const unit = 10 ** digits
  const whole = Math.floor(scaled / unit)
  return `${whole}.${String(scaled - whole * unit).padStart(digits, '0')}`
}

// part / whole as a percentage rounded down, one decimal unless said:
// (2, 3) → "66.6%". Never shows more than it is.
function percentDown(part, whole, digits = 1) {
  if (!whole) return '0%'
  return `${scaledText(floorDiv(part * 100 * 10 ** digits, whole), digits)}%`
}

// A threshold as a percentage rounded up, trailing zeros dropped: 2/3 → "66.7%",
// 3/4 → "75%". Never shows less than it is.
function thresholdPercent(fraction, digits = 1) {
  const text = scaledText(ceilDiv(fraction.num * 100 * 10 ** digits, fraction.den), digits)
  return `${digits ? text.replace(/\.?0+$/, '') : text}%`
}

// part / whole compared with a fraction, exactly: -1, 0 or 1.
function compareShare(part, whole, fraction) {
  const left = part * fraction.den
  const right = whole * fraction.num
  return left === right ? 0 : left > right ? 1 : -1
}

const CN_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十']

// 2/3 → "三分之二", 1/2 → "半数"; others as "7/10".
function fractionWords(fraction) {
  if (fraction.num === 1 && fraction.den === 2) return '半数'
  if (fraction.den <= 10 && fraction.num <= 10) return `${CN_DIGITS[fraction.den]}分之${CN_DIGITS[fraction.num]}`
  return `${fraction.num}/${fraction.den}`
}

// One plain sentence for a share against its threshold, e.g.
//   "参与表决面积 71.2%（需 ≥ 66.7%）✓".
// The share is rounded down and the threshold up; when that would make the
// figures disagree with the exact comparison (a share just over the line),
// more decimals are shown; a share exactly on a line that no decimal can
// write (2/3) is said in words. `met` (the server's boolean when there is one)
// sets the mark; without it the exact comparison does.
function shareLine(what, part, whole, fraction, { strict = false, met } = {}) {
  const sign = strict ? '>' : '≥'
  const cmp = whole ? compareShare(part, whole, fraction) : -1
  const exact = strict ? cmp > 0 : cmp >= 0
  const ok = met === undefined || met === null ? exact : Boolean(met)
  const mark = ok ? '✓' : '✗'
  let value = percentDown(part, whole)
  let need = thresholdPercent(fraction)
  if (whole && cmp === 0 && !strict && (fraction.num * 1000) % fraction.den !== 0) {
    value = `恰好${fractionWords(fraction)}`
  } else if (whole) {
    // At most 4 decimals: part × 10^6 stays an exact integer for any compound.
    for (let digits = 1; digits <= 3; digits += 1) {
      const v = floorDiv(part * 100 * 10 ** digits, whole)
      const t = ceilDiv(fraction.num * 100 * 10 ** digits, fraction.den)
      if ((strict ? v > t : v >= t) === exact) break
      value = percentDown(part, whole, digits + 1)
      need = thresholdPercent(fraction, digits + 1)
    }
  }
  return { text: `${what} ${value}（需 ${sign} ${need}）${mark}`, ok }
}

// ---------------------------------------------------------------- words

const STEP_WORDS = {
  publish: '公示',
  open: '开始表决',
  close: '结束表决',
  withdraw: '撤回',
  edit: '修改',
}

const dayText = (iso) => (iso ? formatDate(String(iso).slice(0, 10)) : '')
const timeText = (iso) => formatShortTime(iso)

// The rule of art. 278 in plain words, two sentences.
function ruleSentences(rule) {
  const passing =
    rule === 'three_quarters'
      ? '参与表决的业主中，同意的面积和人数都要达到四分之三以上，才算通过。'
      : '参与表决的业主中，同意的面积和人数都要超过一半，才算通过。'
  return ['参与表决的业主，专有部分面积和人数都要达到全体的三分之二以上，表决才有效。', passing]
}

function matterText(matter, matterLabel) {
  return `第${matter}项：${matterLabel || label('matter', String(matter), '')}`
}

// The nine matters of art. 278 for a picker: [{value: 1, label: "第1项：…"}].
function matterOptions() {
  return [1, 2, 3, 4, 5, 6, 7, 8, 9].map((value) => ({ value, label: matterText(value) }))
}

function statusLine(p) {
  if (p.status === 'notice') return p.notice_ends_at ? `公示至 ${dayText(p.notice_ends_at)}` : '公示中'
  if (p.status === 'voting') return p.closes_at ? `投票截止 ${timeText(p.closes_at)}` : '表决中'
  if (p.status === 'closed') return p.passed ? '表决结果：通过' : '表决结果：未通过'
  if (p.status === 'draft') return '草稿，还没有公示'
  return label('proposal_status', p.status, p.status)
}

// One row of the list.
function summaryView(p) {
  const statusText = p.status_label || label('proposal_status', p.status, p.status)
  const voteNeeded = Boolean(p.my_vote_needed)
  return {
    id: p.id,
    title: p.title,
    matter: matterText(p.matter, p.matter_label),
    status: p.status,
    statusText,
    line: statusLine(p),
    commentCount: p.comment_count || 0,
    voteNeeded,
    ariaLabel: `${p.title}，${statusText}，${statusLine(p)}${voteNeeded ? '，待您投票' : ''}`,
  }
}

const DEFAULT_OPTIONS = [
  { choice: 'yes', label: '同意' },
  { choice: 'no', label: '反对' },
  { choice: 'abstain', label: '弃权' },
]

function choiceLabel(options, choice) {
  const found = (options || []).find((o) => o.choice === choice)
  return found ? found.label : choice
}

// My flat's ballot: what I chose, the receipt, and how it counts.
function ballotView(ballot, options) {
  if (!ballot) return null
  return {
    choice: ballot.choice,
    choiceLabel: ballot.choice_label || choiceLabel(options, ballot.choice),
    receipt: ballot.receipt || '',
    channel: label('ballot_channel', ballot.channel, ''),
    status: ballot.status,
    statusText: label('ballot_status', ballot.status, ''),
    pending: ballot.status === 'pending',
    castAt: timeText(ballot.cast_at),
  }
}

function householdView(h, options) {
  return {
    id: h.household_id,
    label: h.label,
    area: h.area_m2,
    onRoll: Boolean(h.on_roll),
    ballot: ballotView(h.ballot, options),
  }
}

function turnoutView(t) {
  if (!t) return null
  return {
    area: `${t.participating_area_m2} m²（共 ${t.eligible_area_m2} m²）`,
    heads: `${t.participating_heads} 人（共 ${t.eligible_heads} 人）`,
  }
}

function versionView(v, current) {
  return {
    version: v.version,
    heading: `第${v.version}版${v.version === current ? '（现在的）' : ''}${v.note ? ` 修改说明：${v.note}` : ''}`,
    title: v.title,
    body: v.body,
    options: (v.options || []).map((o) => o.label).join('、'),
    effectText: v.effect_text || '',
    at: timeText(v.created_at),
  }
}

function commentView(c) {
  return {
    id: c.id,
    version: c.version,
    body: c.body,
    author: c.mine ? `${c.author_label}（我）` : c.author_label,
    at: timeText(c.created_at),
  }
}

// The committee's steps, in the order shown; close only when it is due.
const COMMITTEE_BUTTONS = [
  { action: 'edit', text: '修改', primary: false },
  { action: 'publish', text: '公示', primary: true },
  { action: 'open', text: '开始表决', primary: true },
  { action: 'close', text: '结束表决', primary: true },
  { action: 'withdraw', text: '撤回', primary: false },
]

function detailView(p, now = Date.now()) {
  const options = p.options && p.options.length ? p.options : DEFAULT_OPTIONS
  const actions = p.actions || []
  const due = p.closes_at ? Date.parse(p.closes_at) <= now : false
  const buttons = COMMITTEE_BUTTONS.filter((b) => actions.includes(b.action) && (b.action !== 'close' || due))
  const versions = (p.versions || []).map((v) => versionView(v, p.version))
  return {
    id: p.id,
    compound: p.compound,
    title: p.title,
    body: p.body,
    status: p.status,
    statusText: p.status_label || label('proposal_status', p.status, p.status),
    version: p.version,
    matter: matterText(p.matter, p.matter_label),
    matterNumber: p.matter,
    ruleLabel: p.rule_label || label('decision_rule', p.rule, ''),
    ruleSentences: ruleSentences(p.rule),
    options,
    effectText: p.effect_text || '',
    attachments: p.attachments || [],
    // Every version once there is more than one, newest first, each with
    // what changed; a first draft has nothing to compare with.
    versions: versions.length > 1 ? versions : [],
    // The compound's minimum notice when the server tells it.
    minNoticeDays: p.min_notice_days || 0,
    withdrawReason: p.withdraw_reason || '',
    noticeLine: p.status === 'notice' && p.notice_ends_at ? `公示至 ${dayText(p.notice_ends_at)}` : '',
    noticeEndsAt: p.notice_ends_at || '',
    closesAt: timeText(p.closes_at),
    closesAtIso: p.closes_at || '',
    // Past the deadline, before the count (the job closes due votes every
    // few minutes): no more votes, the result soon.
    counting: p.status === 'voting' && due,
    changeUntil: p.status === 'voting' && (p.changeable_until || p.closes_at) ? timeText(p.changeable_until || p.closes_at) : '',
    turnout: turnoutView(p.turnout),
    households: (p.my_households || []).map((h) => householdView(h, options)),
    canVote: actions.includes('vote'),
    canComment: actions.includes('comment'),
    canRecordPaper: actions.includes('record_paper'),
    canConfirmPaper: actions.includes('confirm_paper'),
    closed: p.status === 'closed',
    passed: Boolean(p.passed),
    buttons,
    stepWords: STEP_WORDS,
  }
}

// ---------------------------------------------------------------- result

const QUORUM = { num: 2, den: 3 }

function thresholdsOf(result) {
  const given = result.thresholds || {}
  const pick = (keys, fallback) => {
    for (const key of keys) {
      const parsed = parseFraction(given[key])
      if (parsed) return parsed
    }
    return fallback
  }
  const threeQuarters = result.rule === 'three_quarters'
  return {
    quorum: pick(['quorum', 'quorum_area', 'participation'], QUORUM),
    pass: pick(['pass', 'passing', 'approval', threeQuarters ? 'three_quarters' : 'majority'], threeQuarters ? { num: 3, den: 4 } : { num: 1, den: 2 }),
    // Majority is "more than half"; three quarters is "at least".
    strict: typeof given.pass_strictly_more === 'boolean' ? given.pass_strictly_more : !threeQuarters,
  }
}

function passingLines(yes, labels, partArea, partHeads, t) {
  const name = choiceLabel(labels, yes.choice)
  const lines = [
    shareLine(`「${name}」面积占参与表决面积`, areaCents(yes.area_m2) || 0, partArea, t.pass, { strict: t.strict }),
    shareLine(`「${name}」人数占参与表决人数`, yes.heads, partHeads, t.pass, { strict: t.strict }),
  ]
  if (typeof yes.meets_rule !== 'boolean') return lines
  const exactly = lines.every((line) => line.ok)
  if (exactly === yes.meets_rule) return lines
  // The exact count and the server disagree (it should not happen): the
  // server's word decides the marks, never a ✓ the result does not stand by.
  const marked = (line, ok) => ({ text: line.text.replace(/[✓✗]$/, ok ? '✓' : '✗'), ok })
  return yes.meets_rule ? lines.map((line) => marked(line, true)) : lines.map((line) => marked(line, false))
}

// GET result as sentences and rows; `search` filters the receipt list.
function resultView(result, options) {
  const t = thresholdsOf(result)
  const eligibleArea = areaCents(result.eligible_area_m2) || 0
  const partArea = areaCents(result.participating_area_m2) || 0
  const eligibleHeads = result.eligible_heads || 0
  const partHeads = result.participating_heads || 0
  const quorum = [
    shareLine('参与表决面积', partArea, eligibleArea, t.quorum, { met: result.quorum_area_met }),
    shareLine('参与表决人数', partHeads, eligibleHeads, t.quorum, { met: result.quorum_heads_met }),
  ]
  const labels = options && options.length ? options : DEFAULT_OPTIONS
  // The server's `winner` is the option that met the passing rule, even when
  // too few owners took part: only a passed result elects anyone.
  const elected = result.passed ? result.winner : null
  const rows = (result.options || []).map((o) => {
    const area = areaCents(o.area_m2) || 0
    const name = o.label || choiceLabel(labels, o.choice)
    return {
      choice: o.choice,
      label: name,
      area: `${o.area_m2} m²`,
      areaShare: percentDown(area, partArea),
      heads: `${o.heads} 人`,
      headsShare: percentDown(o.heads, partHeads),
      winner: elected === o.choice,
      ariaLabel: `${name}：面积 ${o.area_m2} 平方米，占 ${percentDown(area, partArea)}；人数 ${o.heads} 人，占 ${percentDown(o.heads, partHeads)}`,
    }
  })
  // Whether the winning (or "yes") option reached the passing rule: exact.
  const yes = (result.options || []).find((o) => o.choice === (result.winner || 'yes'))
  // The server says whether the option met the rule (area and heads both);
  // when it says no, the line the exact count shows short is marked ✗.
  const passing = yes ? passingLines(yes, labels, partArea, partHeads, t) : []
  return {
    passed: Boolean(result.passed),
    verdict: result.passed ? '通过' : '未通过',
    quorumMet: Boolean(result.quorum_met),
    quorum,
    passing,
    rows,
    ruleLabel: result.rule_label || label('decision_rule', result.rule, ''),
    ruleSentences: ruleSentences(result.rule),
    eligible: `全体业主：${result.eligible_area_m2} m²，${eligibleHeads} 人`,
    participating: `参与表决：${result.participating_area_m2} m²，${partHeads} 人`,
    winner: elected && elected !== 'yes' ? choiceLabel(labels, elected) : '',
    uncounted: result.uncounted_paper ? `还有 ${result.uncounted_paper} 张纸质票到截止时没有核对，未计入。` : '',
    effectNote: result.effect_note || '',
  }
}

// The counted ballots (receipt, area, choice) with mine marked, and the
// re-count: every option's area added up from the list, compared with the result.
function receiptsView(result, options) {
  const labels = options && options.length ? options : DEFAULT_OPTIONS
  const mine = result.my_receipts || []
  const ballots = (result.ballots || []).map((b) => ({
    receipt: b.receipt,
    area: `${b.area_m2} m²`,
    choiceLabel: choiceLabel(labels, b.choice),
    mine: mine.includes(b.receipt),
    // Another flat of the same owner carries the head (an older server: no flag).
    noHead: 'head' in b && !b.head,
  }))
  const sums = {}
  const heads = {}
  for (const b of result.ballots || []) {
    sums[b.choice] = (sums[b.choice] || 0) + (areaCents(b.area_m2) || 0)
    // One head per owner: the ballot marked head (an owner of several flats has one).
    if (b.head) heads[b.choice] = (heads[b.choice] || 0) + 1
  }
  // An older server sends no head flags: then only the areas are added up.
  const withHeads = (result.ballots || []).some((b) => 'head' in b)
  const recount = (result.options || []).map((o) => {
    const added = sums[o.choice] || 0
    const people = heads[o.choice] || 0
    const areaSame = added === areaCents(o.area_m2)
    const headsSame = !withHeads || people === o.heads
    const text = withHeads
      ? `${choiceLabel(labels, o.choice)}：逐张相加 ${centsText(added)} m²，${people} 人`
      : `${choiceLabel(labels, o.choice)}：逐张相加 ${centsText(added)} m²`
    return { choice: o.choice, text, same: areaSame && headsSame }
  })
  return { ballots, recount, recountSame: recount.every((r) => r.same), mine }
}

function filterReceipts(ballots, search) {
  const wanted = String(search || '').trim().toUpperCase()
  return wanted ? ballots.filter((b) => b.receipt.toUpperCase().includes(wanted)) : ballots
}

// ---------------------------------------------------------------- refusals

// A refusal that trying again will not change, in plain words for the page
// itself (instead of an error card with 重试); '' for any other error.
// Tenants and family members are told of a published proposal (the notice
// goes to every resident) but only owners and volunteers may read it.
const DENIED = {
  owners_only: '业主表决只对本小区的业主公开。租户和家属不参加表决；如果您是业主，请在「我的」里把房屋绑定为业主。',
  volunteers_only: '纸质表决票只由本单元的联络员、楼长和业委会录入和核对。',
  proposal_not_found: '没有找到这个表决事项，可能已经撤回或还没有公示。',
}

function deniedText(err) {
  if (!err || !(err.status === 403 || err.status === 404)) return ''
  return DENIED[err.code] || ''
}

// Whether a voting proposal's deadline has passed by the phone's clock
// (closesAtIso with its offset); the server has the last word.
function votingOver(closesAtIso, now = Date.now()) {
  const at = Date.parse(closesAtIso || '')
  return Number.isFinite(at) && now >= at
}

// ---------------------------------------------------------------- entries

// 业主表决 on the home page: owners (bound as 业主), the committee and the supervisor.
function seesDecisions(user) {
  const owner = ((user && user.households) || []).some((h) => h.relation === 'owner')
  const office = ((user && user.roles) || []).some((r) => r.compound && (r.role === 'committee' || r.role === 'supervisor'))
  return owner || office
}

// How many proposals of GET /board wait for my vote.
const votesNeeded = (board) => ((board && board.proposals) || []).filter((p) => p.my_vote_needed).length

// ---------------------------------------------------------------- forms

// "2026-12-20", "18:00" → "2026-12-20T18:00:00+08:00" (Asia/Shanghai).
function shanghaiIso(day, time) {
  return `${day}T${time}:00+08:00`
}

// Whether a rate is a positive number of yuan with at most 4 decimals, below 100.
function rateProblem(rate) {
  const text = String(rate || '').trim()
  if (!/^\d{1,2}(\.\d{1,4})?$/.test(text) || !/[1-9]/.test(text)) return '请填写新单价，如 0.40（元/平方米/月，最多 4 位小数）'
  return ''
}

module.exports = {
  areaCents,
  centsText,
  parseFraction,
  floorDiv,
  percentDown,
  thresholdPercent,
  compareShare,
  shareLine,
  ruleSentences,
  matterText,
  matterOptions,
  summaryView,
  detailView,
  ballotView,
  commentView,
  resultView,
  receiptsView,
  filterReceipts,
  shanghaiIso,
  rateProblem,
  dayText,
  timeText,
  DEFAULT_OPTIONS,
  choiceLabel,
  seesDecisions,
  votesNeeded,
  deniedText,
  votingOver,
}
