/**
 * @jest-environment node
 *
 * api/handovers.js and the 我的联络人 calls of api/me.js: the paths, methods and
 * bodies the server's contract names.
 */
const { installWx, requestsMade, sentBody, signedIn } = require('../helpers/wx')
const { handoverPreview, handOver, listHandovers } = require('../../../miniprogram/api/handovers')
const { myLiaisons, setSharedPhone } = require('../../../miniprogram/api/me')

let wx, server

beforeEach(() => {
  ;({ wx, server } = installWx({ storage: signedIn() }))
})

test('the preview asks for one unit of one compound', async () => {
  server.on('GET /api/v1/compounds/yangguang/handovers/preview?unit=1-2', { status: 200, body: { unit: '1-2' } })
  expect(await handoverPreview('yangguang', '1-2')).toEqual({ unit: '1-2' })
})

test('a handover posts the unit, the successor and who steps down', async () => {
  server.on('POST /api/v1/compounds/yangguang/handovers', { status: 201, body: { id: 9 } })
  expect(await handOver('yangguang', { unit: '1-2', toUserId: 5, fromUserId: 2 })).toEqual({ id: 9 })
  expect(sentBody(wx, 'POST /api/v1/compounds/yangguang/handovers')).toEqual({
    unit: '1-2',
    to_user_id: 5,
    from_user_id: 2,
  })
})

test('a refused handover rejects with the server\'s words', async () => {
  server.on('POST /api/v1/compounds/yangguang/handovers', {
    status: 409,
    body: { code: 'no_liaison', message: '本单元目前没有这位联络人，无法交接，请刷新后再看' },
  })
  await expect(handOver('yangguang', { unit: '1-2', toUserId: 5, fromUserId: 2 })).rejects.toMatchObject({
    status: 409,
    code: 'no_liaison',
    message: '本单元目前没有这位联络人，无法交接，请刷新后再看',
  })
})

test('the list pages with before', async () => {
  server.on('GET /api/v1/compounds/yangguang/handovers?before=7&limit=10', { status: 200, body: { items: [] } })
  await listHandovers('yangguang', { before: 7, limit: 10 })
  expect(requestsMade(wx)).toEqual(['GET /api/v1/compounds/yangguang/handovers?before=7&limit=10'])
})

test('我的联络人 and the shared phone', async () => {
  server.on('GET /api/v1/me/liaisons', { status: 200, body: { items: [] } })
  server.on('PUT /api/v1/me/shared-phone', { status: 200, body: { phone: null, phone_masked: null } })
  expect(await myLiaisons()).toEqual({ items: [] })
  await setSharedPhone(null)
  expect(sentBody(wx, 'PUT /api/v1/me/shared-phone')).toEqual({ phone: null })
  await setSharedPhone('13812345678')
  expect(sentBody(wx, 'PUT /api/v1/me/shared-phone')).toEqual({ phone: '13812345678' })
})
