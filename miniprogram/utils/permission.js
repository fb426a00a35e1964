// When WeChat refuses the camera or the album (the user said no once, and
// WeChat does not ask again), say so in plain words and offer the way back:
// 去设置 opens the mini-program's settings (wx.openSetting, allowed from the
// modal's tap). A refused privacy consent gets its own explanation.
const { showModal } = require('./ui')
const privacy = require('./privacy')

const MESSAGES = {
  camera: {
    title: '没有相机和相册权限',
    content: '您没有允许使用相机/相册，所以没法添加照片。点“去设置”，打开“相机”和“相册”，再回来点“添加照片”。',
  },
}

// Why an API call failed: 'cancel' (the user backed out), 'privacy' (no
// consent to the privacy guide), 'denied' (a permission refused), 'other'.
function failureKind(res) {
  const message = (res && res.errMsg) || ''
  if (privacy.isPrivacyRefusal(res)) return 'privacy'
  if (/cancel/i.test(message)) return 'cancel'
  if (/auth|deny|denied|permission/i.test(message)) return 'denied'
  return 'other'
}

// Resolves with true when the user went to the settings page.
function explainDenied(what = 'camera') {
  const { title, content } = MESSAGES[what] || MESSAGES.camera
  return showModal({ title, content, confirmText: '去设置', cancelText: '不用了' }).then((res) => {
    if (!res.confirm) return false
    return new Promise((resolve) => wx.openSetting({ success: () => resolve(true), fail: () => resolve(false) }))
  })
}

// what: 'file' for a file from a chat (wx.chooseMessageFile), else the camera
// and the album.
function explainPrivacyRefused(what = 'camera') {
  return showModal({
    title: '没有同意隐私保护指引',
    content: what === 'file' ? privacy.REFUSED_FILE : privacy.REFUSED,
    confirmText: '查看指引',
    cancelText: '知道了',
  }).then((res) => {
    if (res.confirm) privacy.openContract()
    return false
  })
}

// After a failed camera/album call (what 'camera') or file pick ('file'):
// explains a refusal; a cancel or another failure stays silent, and so does a
// privacy request given up for the user (they left the popup's page).
// Resolves once the user has answered.
function explainFailure(res, what = 'camera') {
  const kind = failureKind(res)
  if (kind === 'denied') return explainDenied(what)
  if (kind === 'privacy') return privacy.takeAbandoned() ? Promise.resolve(false) : explainPrivacyRefused(what)
  return Promise.resolve(false)
}

module.exports = { MESSAGES, failureKind, explainDenied, explainPrivacyRefused, explainFailure }
