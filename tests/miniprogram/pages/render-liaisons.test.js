/**
 * @jest-environment jsdom
 *
 * 我的联络人 rendered on the home page (拨打电话 only for a shared number, named
 * for a screen reader) and the 工作交接 page's steps.
 */
const { installWx, signedIn } = require('../helpers/wx')
const { loadPage, renderPage, texts, attr, sleep } = require('../helpers/render')
const { RESIDENT, COMMITTEE, COMPOUND } = require('../helpers/fixtures')

const HOME = loadPage('index')
const HANDOVER = loadPage('handover')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
  wx.makePhoneCall = jest.fn()
  server.on('GET /api/v1/me/notifications?limit=1', { status: 200, body: { items: [], unread: 0 } })
})

const card = (liaisons) => ({
  household_id: 11,
  household: '1-2-301',
  compound: 'yangguang',
  compound_name: '阳光小区',
  unit: '1-2',
  unit_label: '1号楼2单元',
  liaisons,
  building_leads: [],
  note: null,
})

async function openHome(items) {
  server.on('GET /api/v1/me', { status: 200, body: RESIDENT })
  server.on('GET /api/v1/me/liaisons', { status: 200, body: { items } })
  const page = renderPage(HOME)
  page.instance.onLoad && page.instance.onLoad()
  await page.instance.onShow()
  await sleep(0)
  return page
}

test('a shared number shows a big call button that dials it', async () => {
  const page = await openHome([
    card([{ role: 'liaison', name: '李师傅', phone: '13812345678', phone_masked: '138****5678' }]),
  ])
  expect(texts(page, '.contact-card .card-title')).toEqual(['我的联络人 · 1号楼2单元'])
  const [button] = page.querySelectorAll('.call')
  expect(attr(button, 'aria-label')).toBe('拨打联络人李师傅的电话 138****5678')
  button.dispatchEvent('tap')
  await sleep(0)
  expect(wx.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '13812345678' })
})

test('no shared number: no button, plain words instead', async () => {
  const page = await openHome([card([{ role: 'liaison', name: '联络人', phone: null, phone_masked: null }])])
  expect(page.querySelectorAll('.call')).toHaveLength(0)
  expect(texts(page, '.contact-hint')).toEqual(['可在“报事”里留言，联络人会收到'])
})

test('工作交接: pick a unit, see who steps down and who could take over', async () => {
  server.on('GET /api/v1/me', { status: 200, body: COMMITTEE })
  server.on('GET /api/v1/compounds/yangguang', { status: 200, body: COMPOUND })
  server.on('GET /api/v1/compounds/yangguang/handovers/preview?unit=1-2', {
    status: 200,
    body: {
      unit: '1-2',
      unit_label: '1号楼2单元',
      liaisons: [{ user_id: 2, name: '李师傅', issues: 2, return_visits: 1 }],
      binding_requests: 1,
      unpaid_households: 0,
      candidates: [{ user_id: 7, name: '王秀兰', roles: [{ role: 'resident', label: '1-2-301' }] }],
    },
  })
  const page = renderPage(HANDOVER)
  await page.instance.onLoad()
  await sleep(0)
  const units = page.querySelectorAll('.choice')
  expect(texts(page, '.choice')).toEqual(['1号楼1单元', '1号楼2单元', '1号楼3单元'])
  units[1].dispatchEvent('tap')
  for (let i = 0; i < 50 && !page.instance.data.preview; i += 1) await sleep(5)
  await sleep(0)
  const choices = page.querySelectorAll('.choice')
  expect(attr(choices[3], 'aria-label')).toBe('李师傅，在办事项 2 件，待上门回访 1 次')
  expect(attr(choices[4], 'aria-label')).toBe('王秀兰，住户 1-2-301')
  expect(page.querySelectorAll('.submit')).toHaveLength(0) // nobody picked yet
  choices[4].dispatchEvent('tap')
  await sleep(0)
  expect(page.querySelectorAll('.submit')).toHaveLength(1)
})
