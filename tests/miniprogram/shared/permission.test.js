/**
 * @jest-environment node
 *
 * Adding photos when WeChat refuses: the camera/album permission turned off
 * (say so, and 去设置 opens the settings), privacy consent not given (say so,
 * and offer the guide), or the user just backing out (nothing to say).
 */
const path = require('path')
const { ROOT, installWx, refusePhotos, cancelModal } = require('../helpers/wx')

let wx, photos, permission

beforeEach(() => {
  ;({ wx } = installWx())
  jest.isolateModules(() => {
    photos = require(path.join(ROOT, 'services/photos.js'))
    permission = require(path.join(ROOT, 'utils/permission.js'))
  })
})

function formPage() {
  const page = { data: { photos: [] } }
  page.setData = (patch) => Object.assign(page.data, patch)
  return page
}

test.each([
  [{ errMsg: 'chooseMedia:fail cancel' }, 'cancel'],
  [{ errMsg: 'chooseMedia:fail auth deny' }, 'denied'],
  [{ errMsg: 'chooseMedia:fail auth denied' }, 'denied'],
  [{ errMsg: 'chooseMedia:fail privacy permission is not authorized', errno: 104 }, 'privacy'],
  [{ errMsg: 'chooseMedia:fail api scope is not declared in the privacy agreement', errno: 112 }, 'privacy'],
  [{ errMsg: 'chooseMedia:fail something else' }, 'other'],
])('%j is a %s', (res, kind) => {
  expect(permission.failureKind(res)).toBe(kind)
})

test('camera/album refused: a plain modal, and 去设置 opens the settings page', async () => {
  refusePhotos(wx)
  const page = formPage()
  await photos.addPhotos(page, 'photos')
  expect(wx.showModal).toHaveBeenCalledTimes(1)
  const [modal] = wx.showModal.mock.calls[0]
  expect(modal).toMatchObject({ title: '没有相机和相册权限', confirmText: '去设置', cancelText: '不用了' })
  expect(modal.content).toMatch(/^您没有允许使用相机\/相册/)
  expect(wx.openSetting).toHaveBeenCalledTimes(1)
  expect(page.data.photos).toEqual([])
})

test('不用了 leaves the settings closed', async () => {
  refusePhotos(wx)
  cancelModal(wx)
  await photos.addPhotos(formPage(), 'photos')
  expect(wx.showModal).toHaveBeenCalledTimes(1)
  expect(wx.openSetting).not.toHaveBeenCalled()
})

test('privacy consent refused: says so, and 查看指引 opens the guide', async () => {
  refusePhotos(wx, { errMsg: 'chooseMedia:fail privacy permission is not authorized', errno: 104 })
  await photos.addPhotos(formPage(), 'photos')
  const [modal] = wx.showModal.mock.calls[0]
  expect(modal).toMatchObject({ title: '没有同意隐私保护指引', confirmText: '查看指引' })
  expect(modal.content).toMatch(/您没有同意隐私保护指引/)
  expect(wx.openPrivacyContract).toHaveBeenCalled()
  expect(wx.openSetting).not.toHaveBeenCalled()
})

test('backing out of the picker says nothing', async () => {
  await photos.addPhotos(formPage(), 'photos')
  expect(wx.showModal).not.toHaveBeenCalled()
  expect(wx.openSetting).not.toHaveBeenCalled()
})
