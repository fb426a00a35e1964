/**
 * @jest-environment node
 *
 * 我的联络人 on the home page (one card per household, 拨打电话 only for a
 * shared number) and 我的联系电话 in the workspace (save and stop, each asked first).
 */
const { installWx, requestsMade, sentBody, cancelModal, signedIn } = require('../helpers/wx')
const { createPage, tap } = require('../helpers/page')

const HOUSEHOLD = {
  id: 11,
  compound: 'yangguang',
  compound_name: '阳光小区',
  building: 1,
  unit: 2,
  room: '301',
  floor: 3,
  area_m2: '72.00',
  occupancy: 'occupied',
  relation: 'owner',
  label: '1-2-301',
}
const RESIDENT_ROLE = {
  role: 'resident',
  scope: 'household',
  scope_id: 11,
  compound: 'yangguang',
  compound_name: '阳光小区',
  label: '1-2-301',
}
const LIAISON_ROLE = Object.assign({}, RESIDENT_ROLE, { role: 'liaison', scope: 'unit', scope_id: 5, label: '1-2' })
const card = (overrides) =>
  Object.assign(
    {
      household_id: 11,
      household: '1-2-301',
      compound: 'yangguang',
      compound_name: '阳光小区',
      unit: '1-2',
      unit_label: '1号楼2单元',
      liaisons: [],
      building_leads: [],
      note: null,
    },
    overrides
  )
const SHARED = { role: 'liaison', name: '李师傅', phone: '13812345678', phone_masked: '138****5678' }
const NOT_SHARED = { role: 'liaison', name: '联络人', phone: null, phone_masked: null }

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  wx.makePhoneCall = jest.fn()
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0 } })
})

async function home(items) {
  server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [RESIDENT_ROLE], households: [HOUSEHOLD] } })
  server.on('GET /api/v1/me/liaisons', { status: 200, body: { items } })
  const page = createPage('index')
  await page.onShow()
  return page
}

test('a shared number gets a call button; tapping it dials', async () => {
  const page = await home([card({ liaisons: [SHARED] })])
  const [contact] = page.data.contacts
  expect(contact.title).toBe('1号楼2单元')
  expect(contact.people).toEqual([
    expect.objectContaining({ name: '李师傅', phone: '13812345678', phoneMasked: '138****5678' }),
  ])
  expect(contact.people[0].callLabel).toBe('拨打联络人李师傅的电话 138****5678')
  expect(contact.hint).toBe('')
  page.call(tap({ phone: '13812345678' }))
  expect(wx.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '13812345678' })
})

test('without a shared number it says how to reach the liaison instead', async () => {
  const page = await home([card({ liaisons: [NOT_SHARED] })])
  const [contact] = page.data.contacts
  expect(contact.people[0].phone).toBe('')
  expect(contact.hint).toBe('可在“报事”里留言，联络人会收到')
})

test('no liaison: the building lead; nobody: the note', async () => {
  const lead = { role: 'building_lead', name: '楼栋长', phone: null, phone_masked: null }
  const page = await home([
    card({ building_leads: [lead] }),
    card({ household_id: 12, household: '2-1-101', note: '本单元暂时没有联络人，有事请联系小区业委会' }),
  ])
  expect(page.data.contacts.map((c) => c.people.map((p) => p.role))).toEqual([['楼栋长'], []])
  expect(page.data.contacts[1].note).toBe('本单元暂时没有联络人，有事请联系小区业委会')
  expect(page.data.contacts.map((c) => c.key)).toEqual(['11', '12'])
})

test('the home page still shows when 我的联络人 cannot be read', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [RESIDENT_ROLE], households: [HOUSEHOLD] } })
  server.on('GET /api/v1/me/liaisons', { fail: 'timeout' })
  const page = createPage('index')
  await page.onShow()
  expect(page.data.error).toBe('')
  expect(page.data.contacts).toEqual([])
  expect(page.data.households).toHaveLength(1)
})

test('someone without a household is not asked for liaisons', async () => {
  server.on('GET /api/v1/me', { status: 200, body: { id: 1, roles: [], households: [] } })
  const page = createPage('index')
  await page.onShow()
  expect(requestsMade(wx)).not.toContain('GET /api/v1/me/liaisons')
})

// ----- 我的联系电话 in the workspace -----

async function workspace(sharedPhone = null, roles = [LIAISON_ROLE]) {
  server.on('GET /api/v1/me', { status: 200, body: { id: 2, roles, households: [], shared_phone: sharedPhone } })
  const page = createPage('workspace')
  await page.loadMe()
  return page
}

test('the setting shows what is shared now, and the handover entry for a liaison', async () => {
  const page = await workspace('13812345678')
  expect(page.data.sharedPhone).toBe('13812345678')
  expect(page.data.canHandover).toBe(true)
  page.goHandover()
  expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/handover/index' })
})

test('a building lead may share a number but hands no unit over', async () => {
  const lead = Object.assign({}, LIAISON_ROLE, { role: 'building_lead', scope: 'building', label: '1' })
  const page = await workspace(null, [lead])
  expect(page.data.canSharePhone).toBe(true)
  expect(page.data.canHandover).toBe(false)
})

test('the supervisor (no volunteer role) is offered no phone setting', async () => {
  const supervisor = Object.assign({}, RESIDENT_ROLE, { role: 'supervisor', scope: 'compound', scope_id: 1, label: '阳光小区' })
  const page = await workspace(null, [supervisor])
  expect([page.data.canSharePhone, page.data.canHandover]).toEqual([false, false])
})

test('saving asks first, then shares the number', async () => {
  server.on('PUT /api/v1/me/shared-phone', { status: 200, body: { phone: '13812345678', phone_masked: '138****5678' } })
  const page = await workspace()
  page.onPhoneInput({ detail: { value: '138 1234 5678' } })
  await page.savePhone()
  expect(wx.showModal.mock.calls[0][0].content).toBe(
    '公开后，您负责的单元的居民能看到并拨打 13812345678。确定公开？'
  )
  expect(sentBody(wx, 'PUT /api/v1/me/shared-phone')).toEqual({ phone: '13812345678' })
  expect(page.data.sharedPhone).toBe('13812345678')
  expect(wx.showToast).toHaveBeenCalledWith({ title: '已公开', icon: 'success' })
})

test('a number that is not a mobile is refused before asking', async () => {
  const page = await workspace()
  page.onPhoneInput({ detail: { value: '0351-1234567' } })
  await page.savePhone()
  expect(page.data.phoneError).toBe('请填写 11 位手机号码，如 13812345678')
  expect(wx.showModal).not.toHaveBeenCalled()
})

test('cancelling keeps the number private', async () => {
  const page = await workspace()
  page.onPhoneInput({ detail: { value: '13812345678' } })
  cancelModal(wx)
  await page.savePhone()
  expect(requestsMade(wx)).not.toContain('PUT /api/v1/me/shared-phone')
  expect(page.data.sharedPhone).toBe('')
})

test('不再公开 asks, then stops sharing', async () => {
  server.on('PUT /api/v1/me/shared-phone', { status: 200, body: { phone: null, phone_masked: null } })
  const page = await workspace('13812345678')
  await page.stopSharing()
  expect(wx.showModal.mock.calls[0][0].content).toBe('不再公开后，居民看不到您的电话了。确定？')
  expect(sentBody(wx, 'PUT /api/v1/me/shared-phone')).toEqual({ phone: null })
  expect(page.data.sharedPhone).toBe('')
})

test('a refused save shows the server\'s words', async () => {
  server.on('PUT /api/v1/me/shared-phone', {
    status: 403,
    body: { code: 'volunteers_only', message: '只有联络人、楼栋长和业委会委员可以公开联系电话' },
  })
  const page = await workspace()
  page.onPhoneInput({ detail: { value: '13812345678' } })
  await page.savePhone()
  expect(page.data.phoneError).toBe('只有联络人、楼栋长和业委会委员可以公开联系电话')
  expect(page.data.phoneBusy).toBe(false)
})
