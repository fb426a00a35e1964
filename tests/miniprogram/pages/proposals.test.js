/**
 * @jest-environment node
 *
 * 业主表决: the list by phase with 待您投票; one proposal with its rule in
 * plain words, versions and comments; the ballot (a confirmation in the
 * words of the issue, the receipt, until when it can be changed); the
 * committee's steps, each asked first; and the draft/revise form.
 */
const { installWx, requestsMade, sentBody, signedIn, cancelModal } = require('../helpers/wx')
const { createPage, tap, input } = require('../helpers/page')
const { RESIDENT, COMMITTEE } = require('../helpers/fixtures')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))
const HOUR = 3600 * 1000

// An ISO time in Asia/Shanghai, `ms` from now.
function shanghai(ms) {
  return new Date(Date.now() + ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00'
}

const summary = (fields = {}) =>
  Object.assign(
    {
      id: 5,
      title: '物业费调整为每月 0.40 元/平方米',
      matter: 9,
      matter_label: '有关共有和共同管理权利的其他重大事项',
      status: 'voting',
      status_label: '表决中',
      version: 2,
      published_at: shanghai(-10 * 24 * HOUR),
      notice_ends_at: shanghai(-2 * 24 * HOUR),
      closes_at: shanghai(5 * 24 * HOUR),
      closed_at: null,
      passed: null,
      comment_count: 2,
      my_vote_needed: true,
    },
    fields
  )

const detail = (fields = {}) =>
  Object.assign(
    summary(),
    {
      compound: 'yangguang',
      body: '物业费从 0.35 元调整为 0.40 元。',
      rule: 'majority',
      rule_label: '参与表决面积和人数均过半数同意',
      options: [
        { choice: 'yes', label: '同意' },
        { choice: 'no', label: '反对' },
        { choice: 'abstain', label: '弃权' },
      ],
      effect: { kind: 'fee_rate', item: 'property', rate: '0.40' },
      effect_text: '通过后，物业费按每月 0.40 元/平方米收取',
      attachments: [],
      versions: [
        { version: 2, title: '物业费调整为每月 0.40 元/平方米', body: '…', options: [], effect_text: '', note: '起始月份推后一个月', created_at: shanghai(-5 * 24 * HOUR) },
        { version: 1, title: '物业费调整为每月 0.45 元/平方米', body: '原稿', options: [], effect_text: '', note: null, created_at: shanghai(-10 * 24 * HOUR) },
      ],
      actions: ['vote'],
      turnout: { eligible_area_m2: '1000.00', eligible_heads: 12, participating_area_m2: '300.00', participating_heads: 4 },
      my_households: [{ household_id: 11, label: '1-2-301', area_m2: '72.00', on_roll: true, ballot: null }],
      changeable_until: summary().closes_at,
    },
    fields
  )

const COMMENTS = {
  items: [
    { id: 1, version: 1, body: '涨得太多了', author_label: '3号楼2单元业主', mine: false, created_at: shanghai(-9 * 24 * HOUR) },
    { id: 2, version: 2, body: '已改为 0.40 元', author_label: '业委会', mine: false, created_at: shanghai(-5 * 24 * HOUR) },
  ],
  next_cursor: null,
}

// ------------------------------------------------------------------ the list

test('the list: 表决中 first, a big 待您投票, no draft tab and no 起草 for an owner', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/compounds/yangguang/proposals?status=voting', { status: 200, body: { items: [summary()] } })
  const page = createPage('proposals')
  page.onLoad({})
  await page.onShow()
  expect(page.data.tabs.map((t) => t.label)).toEqual(['公示中', '表决中', '已结束'])
  expect(page.data.items[0]).toMatchObject({ voteNeeded: true, statusText: '表决中' })
  expect(page.data.items[0].line).toMatch(/^投票截止 (\d+年)?\d+月\d+日 \d\d:\d\d$/)
  expect(page.data.canDraft).toBe(false)
  page.openProposal(tap({ id: 5 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/proposal/index?id=5' })
})

test('the committee sees 草稿 and drafts with 起草表决事项', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on('GET /api/v1/compounds/yangguang/proposals?status=voting', { status: 200, body: { items: [] } })
  server.on('GET /api/v1/compounds/yangguang/proposals?status=draft', {
    status: 200,
    body: { items: [summary({ status: 'draft', status_label: '草稿', my_vote_needed: false })] },
  })
  const page = createPage('proposals')
  page.onLoad({})
  await page.onShow()
  expect(page.data.empty).toBe(true)
  expect(page.data.tabs.map((t) => t.label)).toContain('草稿')
  await page.onTab(tap({ key: 'draft' }))
  expect(page.data.items[0].line).toBe('草稿，还没有公示')
  page.draft()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/proposal-edit/index?compound=yangguang' })
})

// ------------------------------------------------------------------ one proposal

async function openProposal(...answers) {
  server.on('GET /api/v1/proposals/5', ...answers.map((body) => ({ status: 200, body })))
  server.on('GET /api/v1/proposals/5/comments', { status: 200, body: COMMENTS })
  const page = createPage('proposal')
  page.onLoad({ id: '5' })
  await page.onShow()
  return page
}

test('the rule in plain words, what it changes, older versions to open, comments with their version', async () => {
  const page = await openProposal(detail())
  const p = page.data.proposal
  expect(p.matter).toBe('第9项：有关共有和共同管理权利的其他重大事项')
  expect(p.ruleSentences[1]).toBe('参与表决的业主中，同意的面积和人数都要超过一半，才算通过。')
  expect(p.effectText).toBe('通过后，物业费按每月 0.40 元/平方米收取')
  expect(p.versions.map((v) => v.heading)).toEqual(['第2版（现在的） 修改说明：起始月份推后一个月', '第1版'])
  page.toggleVersion(tap({ version: 1 }))
  expect(page.data.openVersion).toBe(1)
  page.toggleVersion(tap({ version: 1 }))
  expect(page.data.openVersion).toBe(0)
  expect(page.data.comments.map((c) => `${c.author}：${c.body}（第${c.version}版）`)).toEqual([
    '3号楼2单元业主：涨得太多了（第1版）',
    '业委会：已改为 0.40 元（第2版）',
  ])
  expect(p.turnout).toEqual({ area: '300.00 m²（共 1000.00 m²）', heads: '4 人（共 12 人）' })
  expect(p.changeUntil).toMatch(/^(\d+年)?\d+月\d+日 \d\d:\d\d$/)
})

test('voting asks 您选择「同意」，确定提交吗？截止前可以更改; cancelled, nothing is sent', async () => {
  const voted = detail({
    my_vote_needed: false,
    my_households: [
      {
        household_id: 11,
        label: '1-2-301',
        area_m2: '72.00',
        on_roll: true,
        ballot: { choice: 'yes', choice_label: '同意', receipt: 'HJ6KL7MN8P', channel: 'app', status: 'counted', cast_at: shanghai(0) },
      },
    ],
  })
  server.on('POST /api/v1/proposals/5/ballots', {
    status: 200,
    body: { receipt: 'HJ6KL7MN8P', household_id: 11, choice: 'yes', replaced: false, changeable_until: summary().closes_at },
  })
  const page = await openProposal(detail(), voted)
  cancelModal(wx)
  await page.vote(tap({ household: 11, choice: 'yes' }))
  expect(requestsMade(wx)).not.toContain('POST /api/v1/proposals/5/ballots')
  await page.vote(tap({ household: 11, choice: 'yes' }))
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '确认投票', content: '您选择「同意」，确定提交吗？截止前可以更改' })
  expect(sentBody(wx, 'POST /api/v1/proposals/5/ballots')).toEqual({ household_id: 11, choice: 'yes' })
  expect(page.data.justVoted).toBe('HJ6KL7MN8P')
  expect(page.data.proposal.households[0].ballot).toMatchObject({ choiceLabel: '同意', receipt: 'HJ6KL7MN8P', channel: '小程序投票' })
})

test('a second tap while the question is open is not a second vote', async () => {
  server.on('POST /api/v1/proposals/5/ballots', { status: 200, body: { receipt: 'HJ6KL7MN8P' } })
  const page = await openProposal(detail())
  const first = page.vote(tap({ household: 11, choice: 'no' }))
  const second = page.vote(tap({ household: 11, choice: 'no' }))
  await Promise.all([first, second])
  expect(wx.showModal).toHaveBeenCalledTimes(1)
  expect(requestsMade(wx).filter((r) => r === 'POST /api/v1/proposals/5/ballots')).toHaveLength(1)
})

test('changing my vote says what it replaces; a refusal after the close is shown in words', async () => {
  const mine = detail({
    my_households: [
      {
        household_id: 11,
        label: '1-2-301',
        area_m2: '72.00',
        on_roll: true,
        ballot: { choice: 'yes', choice_label: '同意', receipt: 'HJ6KL7MN8P', channel: 'app', status: 'counted', cast_at: shanghai(0) },
      },
    ],
  })
  server.on('POST /api/v1/proposals/5/ballots', { status: 409, body: { code: 'voting_closed', message: '表决已经结束' } })
  const page = await openProposal(mine)
  await page.vote(tap({ household: 11, choice: 'no' }))
  expect(wx.showModal.mock.calls[0][0].content).toBe('您选择「反对」，确定提交吗？截止前可以更改（会替换您之前的选择「同意」）')
  await settle()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '没有投上', content: '表决已经结束' })
  expect(page.data.voting).toBe('')
})

test('during notice: 公示至, a comment asked first and sent, the list read again', async () => {
  const notice = detail({
    status: 'notice',
    status_label: '公示中',
    notice_ends_at: '2026-12-13T08:00:00+08:00',
    actions: ['comment'],
    turnout: null,
    my_households: [],
  })
  server.on('POST /api/v1/proposals/5/comments', { status: 201, body: { id: 3 } })
  const page = await openProposal(notice)
  expect(page.data.proposal.noticeLine).toBe('公示至 12月13日')
  expect(page.data.proposal.canComment).toBe(true)
  await page.sendComment()
  expect(page.data.commentError).toBe('请先写下您的意见')
  page.onCommentInput({ detail: { value: '  希望分两年调整  ' } })
  await page.sendComment()
  expect(sentBody(wx, 'POST /api/v1/proposals/5/comments')).toEqual({ body: '希望分两年调整' })
  expect(page.data.commentText).toBe('')
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/proposals/5/comments')).toHaveLength(2)
})

test('公示 asks the days and confirms; a too-short notice is refused in words', async () => {
  const draft = detail({ status: 'draft', actions: ['edit', 'publish', 'withdraw'], turnout: null, my_households: [] })
  server.on('POST /api/v1/proposals/5/publish', { status: 400, body: { code: 'notice_too_short', message: '公示不能少于 10 天' } })
  const page = await openProposal(draft, draft)
  expect(page.data.proposal.buttons.map((b) => b.text)).toEqual(['修改', '公示', '撤回'])
  page.onAction(tap({ action: 'publish' }))
  expect(page.data.form).toBe('publish')
  page.onNoticeDays({ detail: { value: '0' } })
  await page.submitPublish()
  expect(page.data.formError).toContain('1 到 60')
  page.onNoticeDays({ detail: { value: '7' } })
  await page.submitPublish()
  expect(wx.showModal.mock.calls[0][0].content).toMatch(/^公示 7 天，约至 \d+月\d+日。/)
  expect(sentBody(wx, 'POST /api/v1/proposals/5/publish')).toEqual({ notice_days: 7 })
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '未能办理', content: '公示不能少于 10 天' })
})

test('开始表决 sends the closing time picked, in Asia/Shanghai', async () => {
  const notice = detail({ status: 'notice', actions: ['open', 'withdraw'], turnout: null, my_households: [] })
  server.on('POST /api/v1/proposals/5/open', { status: 200, body: detail() })
  const page = await openProposal(notice, detail())
  page.onAction(tap({ action: 'open' }))
  expect(page.data.closeDay).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  // Less than a day ahead is refused before anything is sent.
  page.onCloseDay({ detail: { value: page.data.firstDay } })
  page.onCloseTime({ detail: { value: '00:00' } })
  await page.submitOpen()
  expect(page.data.formError).toBe('截止时间至少在 24 小时以后')
  page.onCloseDay({ detail: { value: page.data.lastDay } })
  page.onCloseTime({ detail: { value: '18:30' } })
  const day = page.data.closeDay
  await page.submitOpen()
  expect(sentBody(wx, 'POST /api/v1/proposals/5/open')).toEqual({ closes_at: `${day}T18:30:00+08:00` })
  expect(wx.showModal.mock.calls[0][0].content).toMatch(/^投票截止 (\d+年)?\d+月\d+日 18:30。/)
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已开始表决', icon: 'success' })
})

test('结束表决 shows only when due, and asks first', async () => {
  const open = await openProposal(detail({ actions: ['close'] }))
  expect(open.data.proposal.buttons).toEqual([])
  const due = detail({ actions: ['close'], closes_at: shanghai(-HOUR) })
  server.on('POST /api/v1/proposals/5/close', { status: 200, body: { id: 5, status: 'closed', passed: true } })
  const page = await openProposal(due, detail({ status: 'closed', passed: true, actions: [] }))
  expect(page.data.proposal.buttons.map((b) => b.text)).toEqual(['结束表决'])
  await page.onAction(tap({ action: 'close' }))
  expect(wx.showModal.mock.calls[0][0].title).toBe('结束表决')
  expect(requestsMade(wx)).toContain('POST /api/v1/proposals/5/close')
  expect(page.data.proposal.closed).toBe(true)
  page.goResult()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/proposal-result/index?id=5' })
})

test('撤回 asks a reason; 修改 opens the form; volunteers open the paper ballots', async () => {
  const notice = detail({ status: 'notice', actions: ['edit', 'withdraw', 'record_paper', 'confirm_paper'] })
  server.on('POST /api/v1/proposals/5/withdraw', { status: 200, body: detail({ status: 'withdrawn' }) })
  const page = await openProposal(notice)
  page.onAction(tap({ action: 'withdraw' }))
  expect(page.data.asking).toBe(true)
  await page.onReason({ detail: { reason: '业主意见很大，重新拟定' } })
  expect(sentBody(wx, 'POST /api/v1/proposals/5/withdraw')).toEqual({ reason: '业主意见很大，重新拟定' })
  page.onAction(tap({ action: 'edit' }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/proposal-edit/index?id=5' })
  page.goPaper()
  page.goConfirmPaper()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/paper-ballot/index?id=5' })
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/paper-ballot/index?id=5&tab=pending' })
})

// ------------------------------------------------------------------ the form

const FEES = {
  items: [
    { code: 'property', name: '物业费', kind: 'per_area', rate: '0.35', cycle: 'monthly', active: true },
    { code: 'water', name: '公摊水费', kind: 'shared_meter', rate: null, cycle: 'monthly', active: true },
  ],
}
const EXPENSES = {
  items: [
    { id: 8, purpose: '更换电梯', amount_fen: 12000000, status: 'approved', large: true },
    { id: 9, purpose: '楼道灯', amount_fen: 35000, status: 'approved', large: false },
  ],
  next_cursor: null,
}

function openForm(options) {
  server.on('GET /api/v1/compounds/yangguang/fee-items', { status: 200, body: FEES })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=proposed', { status: 200, body: { items: [], next_cursor: null } })
  server.on('GET /api/v1/compounds/yangguang/expenses?status=approved', { status: 200, body: EXPENSES })
  const page = createPage('proposal-edit')
  return page.onLoad(options).then(() => page)
}

test('a fee-rate draft: only per-area fees, the rate checked, then sent and opened', async () => {
  server.on('POST /api/v1/compounds/yangguang/proposals', { status: 201, body: { id: 6, status: 'draft' } })
  const page = await openForm({ compound: 'yangguang' })
  expect(page.data.matters).toHaveLength(9)
  expect(page.data.feeItems).toEqual([{ value: 'property', label: '物业费（现 0.35 元/m²/月）' }])
  expect(page.data.expenses.map((e) => e.value)).toEqual([8])
  page.onInput(input('title', '物业费调整为 0.40 元'))
  page.onInput(input('body', '理由……'))
  page.onMatter({ detail: { value: '8' } })
  page.onEffect({ detail: { value: '1' } })
  page.onInput(input('rate', '0.40251'))
  await page.submit()
  expect(page.data.errors.rate).toContain('最多 4 位小数')
  expect(requestsMade(wx)).not.toContain('POST /api/v1/compounds/yangguang/proposals')
  page.onInput(input('rate', '0.40'))
  page.onFromPeriod({ detail: { value: '2027-02' } })
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/proposals')).toEqual({
    title: '物业费调整为 0.40 元',
    body: '理由……',
    matter: 9,
    effect: { kind: 'fee_rate', item: 'property', rate: '0.40', from_period: '2027-02' },
    attachments: [],
  })
  expect(wx.redirectTo).toHaveBeenCalledWith({ url: '/pages/proposal/index?id=6' })
})

test('an election: candidates as the options, abstain kept, two at least', async () => {
  server.on('POST /api/v1/compounds/yangguang/proposals', { status: 201, body: { id: 7, status: 'draft' } })
  const page = await openForm({ compound: 'yangguang' })
  page.onInput(input('title', '选举第二届业委会委员'))
  page.onInput(input('body', '候选人介绍……'))
  page.onMatter({ detail: { value: '2' } })
  const [a, b] = page.data.candidates
  page.onCandidate({ currentTarget: { dataset: { key: a.key } }, detail: { value: '王建国' } })
  await page.submit()
  expect(page.data.errors.candidates).toBe('选举至少要有 2 位候选人')
  page.onCandidate({ currentTarget: { dataset: { key: b.key } }, detail: { value: '李秀英' } })
  await page.submit()
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/proposals')).toMatchObject({
    matter: 3,
    options: [{ label: '王建国' }, { label: '李秀英' }, { choice: 'abstain', label: '弃权' }],
    effect: { kind: 'none' },
  })
})

test('a revision during notice needs its note and sends only what changed', async () => {
  const notice = detail({ status: 'notice', version: 2 })
  server.on('GET /api/v1/proposals/5', { status: 200, body: notice })
  server.on('PATCH /api/v1/proposals/5', { status: 200, body: notice })
  const page = await openForm({ id: '5' })
  expect(page.data).toMatchObject({ editing: true, noteRequired: true, rate: '0.40', effectIndex: 1 })
  page.onInput(input('rate', '0.38'))
  await page.submit()
  expect(page.data.errors.note).toBe('公示期间修改，请写明改了什么')
  page.onInput(input('note', '根据意见降到 0.38 元'))
  await page.submit()
  expect(wx.showModal.mock.calls[0][0].content).toContain('保存为第3版')
  expect(sentBody(wx, 'PATCH /api/v1/proposals/5')).toEqual({
    effect: { kind: 'fee_rate', item: 'property', rate: '0.38' },
    note: '根据意见降到 0.38 元',
  })
  expect(wx.navigateBack).toHaveBeenCalled()
})

// ------------------------------------------------------------------ entries

test('the workspace offers 纸质表决票 to a volunteer, opening the proposals being voted on', async () => {
  const { LIAISON } = require('../helpers/fixtures')
  server.on('GET /api/v1/me', { status: 200, body: LIAISON })
  server.on('GET /api/v1/issues?handled=true&status=submitted', { status: 200, body: { items: [], next_cursor: null } })
  const page = createPage('workspace')
  await page.onShow()
  expect(page.data.canPaperBallot).toBe(true)
  page.openPaperBallots()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/proposals/index?status=voting' })
})

test('the board lists the proposals it is given, and opens one', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/compounds/yangguang/board', {
    status: 200,
    body: { announcements: [], funds: [], proposals: [summary(), summary({ id: 6, status: 'notice', status_label: '公示中', my_vote_needed: false })] },
  })
  const page = createPage('board')
  await page.onShow()
  expect(page.data.proposals.map((p) => `${p.title} ${p.statusText} ${p.voteNeeded}`)).toEqual([
    '物业费调整为每月 0.40 元/平方米 表决中 true',
    '物业费调整为每月 0.40 元/平方米 公示中 false',
  ])
  page.openProposal(tap({ id: 6 }))
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/proposal/index?id=6' })
})

test('a board without proposals (an older server) shows none', async () => {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/compounds/yangguang/board', { status: 200, body: { announcements: [], funds: [] } })
  const page = createPage('board')
  await page.onShow()
  expect(page.data.proposals).toEqual([])
})

test('a revision that changes the text only sends the text, whatever the server adds to options and effect', async () => {
  const election = detail({
    status: 'notice',
    matter: 3,
    options: [
      { choice: 'c1', label: '王建国' },
      { choice: 'c2', label: '李秀英' },
      { choice: 'abstain', label: '弃权' },
    ],
    effect: { kind: 'none' },
  })
  const fee = detail({ status: 'draft', effect: { kind: 'fee_rate', item: 'property', rate: '0.4000', item_name: '物业费' } })
  server.on('GET /api/v1/proposals/5', { status: 200, body: election }, { status: 200, body: fee })
  server.on('PATCH /api/v1/proposals/5', { status: 200, body: election })
  const page = await openForm({ id: '5' })
  expect(page.data.candidates.map((c) => c.label)).toEqual(['王建国', '李秀英'])
  page.onInput(input('body', '补充了候选人简历'))
  page.onInput(input('note', '补充简历'))
  await page.submit()
  expect(sentBody(wx, 'PATCH /api/v1/proposals/5')).toEqual({ body: '补充了候选人简历', note: '补充简历' })

  const draft = await openForm({ id: '5' })
  await draft.submit()
  expect(draft.data.formError).toBe('没有改动')
  draft.onInput(input('title', '物业费调整（修订）'))
  await draft.submit()
  expect(sentBody(wx, 'PATCH /api/v1/proposals/5')).toEqual({ title: '物业费调整（修订）' })
})
