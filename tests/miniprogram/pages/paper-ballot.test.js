/**
 * @jest-environment node
 *
 * 纸质表决票: a liaison picks a flat not voted yet (the voted ones show 已投,
 * never the choice), the owner's choice, 书面委托 or not, takes a photo with
 * the camera (a refused camera explained), confirms and submits; another
 * volunteer checks the photo: 核对无误 or 有问题 with a reason.
 */
const { installWx, requestsMade, sentBody, signedIn, pickPhotos, refusePhotos, cancelModal } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

const PROPOSAL = {
  id: 5,
  compound: 'yangguang',
  title: '物业费调整为每月 0.40 元/平方米',
  status: 'voting',
  options: [
    { choice: 'yes', label: '同意' },
    { choice: 'no', label: '反对' },
    { choice: 'abstain', label: '弃权' },
  ],
  actions: ['record_paper', 'confirm_paper'],
}

const ROLL = {
  items: [
    { household_id: 11, label: '1-3-101', area_m2: '85.30', voted: true, pending_paper: false },
    { household_id: 12, label: '1-3-102', area_m2: '72.00', voted: false, pending_paper: false },
    { household_id: 13, label: '1-3-201', area_m2: '85.30', voted: false, pending_paper: true },
    { household_id: 14, label: '1-3-202', area_m2: '72.00', voted: false, pending_paper: false },
  ],
}

async function openRecord(proposal = PROPOSAL) {
  server.on('GET /api/v1/proposals/5', { status: 200, body: proposal })
  server.on('GET /api/v1/proposals/5/roll', { status: 200, body: ROLL })
  const page = createPage('paper-ballot')
  page.onLoad({ id: '5' })
  await page.onShow()
  return page
}

test('the flats not voted yet come first; the others say 已投 or 待核对 and never the choice', async () => {
  const page = await openRecord()
  expect(page.data.toVote.map((r) => r.label)).toEqual(['1-3-102', '1-3-202'])
  expect(page.data.voted.map((r) => `${r.label} ${r.state}`)).toEqual(['1-3-101 已投', '1-3-201 纸质票待核对'])
  expect(JSON.stringify(page.data.voted)).not.toMatch(/同意|反对|yes|no"/)
  page.onFlatSearch({ detail: { value: '202' } })
  expect(page.data.toVote.map((r) => r.label)).toEqual(['1-3-202'])
  expect(page.data.voted.map((r) => r.label)).toEqual([])
  page.onFlatSearch({ detail: { value: '' } })
  // A voted flat cannot be picked.
  page.pickFlat(tap({ id: 11 }))
  expect(page.data.householdId).toBe(0)
})

test('nothing is sent without a flat, a choice and a photo', async () => {
  const page = await openRecord()
  await page.submit()
  expect(page.data.errors).toEqual({ flat: '请先选房屋', choice: '请选业主在纸上选的那一项', photo: '请拍下业主签字的表决票' })
  expect(requestsMade(wx)).not.toContain('POST /api/v1/proposals/5/paper-ballots')
})

test('a refused camera is explained with the way to the settings', async () => {
  const page = await openRecord()
  refusePhotos(wx)
  await page.takePhoto()
  expect(wx.chooseMedia.mock.calls[0][0]).toMatchObject({ count: 1, sourceType: ['camera'] })
  expect(wx.showModal.mock.calls[0][0]).toMatchObject({ title: '没有相机和相册权限', confirmText: '去设置' })
  expect(wx.openSetting).toHaveBeenCalled()
  expect(page.data.photos).toEqual([])
})

test('a proxy with its photo: asked first, sent, then the roll read again', async () => {
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 301 } })
  server.on('POST /api/v1/proposals/5/paper-ballots', {
    status: 201,
    body: { id: 40, status: 'pending', household_label: '1-3-202', choice: 'no', channel: 'proxy' },
  })
  const page = await openRecord()
  page.pickFlat(tap({ id: 14 }))
  page.pickChoice(tap({ choice: 'no' }))
  page.onProxy({ detail: { value: true } })
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/paper.jpg', size: 2000 }])
  await page.takePhoto()
  expect(page.data.photos[0]).toMatchObject({ status: 'done', id: 301 })
  cancelModal(wx)
  await page.submit()
  expect(requestsMade(wx)).not.toContain('POST /api/v1/proposals/5/paper-ballots')
  await page.submit()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({
    title: '录入纸质票',
    content: '1-3-202：「反对」（书面委托）。提交后由另一位志愿者核对照片，核对无误才计入。',
  })
  expect(sentBody(wx, 'POST /api/v1/proposals/5/paper-ballots')).toEqual({ household_id: 14, choice: 'no', photo: 301, proxy: true })
  expect(page.data).toMatchObject({ householdId: 0, choice: '', proxy: false, photos: [] })
  expect(requestsMade(wx).filter((r) => r === 'GET /api/v1/proposals/5/roll')).toHaveLength(2)
})

test('a refusal (not the liaison of that unit) is shown on the form', async () => {
  server.on('POST /api/v1/uploads', { status: 201, body: { id: 302 } })
  server.on('POST /api/v1/proposals/5/paper-ballots', { status: 403, body: { code: 'not_your_unit', message: '只能录入您负责的单元' } })
  const page = await openRecord()
  page.pickFlat(tap({ id: 12 }))
  page.pickChoice(tap({ choice: 'yes' }))
  pickPhotos(wx, [{ tempFilePath: 'wxfile://tmp/paper.jpg', size: 2000 }])
  await page.takePhoto()
  await page.submit()
  expect(page.data.formError).toBe('只能录入您负责的单元')
  expect(page.data.sending).toBe(false)
})

const PENDING = {
  items: [
    { id: 40, household_label: '1-3-202', choice: 'no', choice_label: '反对', channel: 'proxy', status: 'pending', recorded_by: '李师傅', recorded_at: '2026-12-05T10:00:00+08:00', photo: 301, mine: false },
    { id: 41, household_label: '1-3-102', choice: 'yes', choice_label: '同意', channel: 'paper', status: 'pending', recorded_by: '我', recorded_at: '2026-12-05T11:00:00+08:00', photo: 302, mine: true },
  ],
}

async function openPending() {
  server.on('GET /api/v1/proposals/5', { status: 200, body: PROPOSAL })
  server.on('GET /api/v1/proposals/5/paper-ballots?status=pending', { status: 200, body: PENDING })
  server.on('GET /api/v1/uploads/301', { status: 200, file: 'wxfile://tmp/301.jpg' })
  server.on('GET /api/v1/uploads/302', { status: 200, file: 'wxfile://tmp/302.jpg' })
  const page = createPage('paper-ballot')
  page.onLoad({ id: '5', tab: 'pending' })
  await page.onShow()
  return page
}

test('待核对: the photos to enlarge; 核对无误 asks first and counts it', async () => {
  server.on('POST /api/v1/paper-ballots/40/confirm', { status: 200, body: { id: 40, status: 'counted', receipt: 'AB3CD4EF5G' } })
  const page = await openPending()
  expect(page.data.pending.map((b) => `${b.household} ${b.choiceLabel} ${b.channel} ${b.mine}`)).toEqual([
    '1-3-202 反对 书面委托 false',
    '1-3-102 同意 纸质表决票 true',
  ])
  expect(page.data.photoPaths).toEqual({ 301: 'wxfile://tmp/301.jpg', 302: 'wxfile://tmp/302.jpg' })
  page.previewPending(tap({ photo: 301 }))
  expect(wx.previewImage).toHaveBeenCalledWith({ urls: ['wxfile://tmp/301.jpg', 'wxfile://tmp/302.jpg'], current: 'wxfile://tmp/301.jpg' })
  await page.confirmBallot(tap({ id: 40 }))
  expect(wx.showModal.mock.calls[0][0].content).toContain('1-3-202「反对」')
  expect(requestsMade(wx)).toContain('POST /api/v1/paper-ballots/40/confirm')
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已计入', icon: 'success' })
})

test('有问题 asks the reason and sends it; a confirmation by the recorder is refused in words', async () => {
  server.on('POST /api/v1/paper-ballots/40/reject', { status: 200, body: { id: 40, status: 'rejected' } })
  server.on('POST /api/v1/paper-ballots/41/confirm', { status: 403, body: { code: 'same_person', message: '不能核对自己录入的票' } })
  const page = await openPending()
  page.askReject(tap({ id: 40 }))
  expect(page.data.rejecting).toBe(40)
  await page.onReject({ detail: { reason: '照片看不清签名' } })
  expect(sentBody(wx, 'POST /api/v1/paper-ballots/40/reject')).toEqual({ reason: '照片看不清签名' })
  await page.confirmBallot(tap({ id: 41 }))
  await settle()
  expect(wx.showModal.mock.calls[1][0]).toMatchObject({ title: '未能办理', content: '不能核对自己录入的票' })
})

test('once the vote is over nothing can be recorded', async () => {
  const page = await openRecord(Object.assign({}, PROPOSAL, { status: 'closed' }))
  expect(page.data.voting).toBe(false)
  expect(requestsMade(wx)).not.toContain('GET /api/v1/proposals/5/roll')
})
