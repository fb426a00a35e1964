// WeChat's privacy consent (用户隐私保护指引). Before an API that touches
// personal information (here: wx.chooseMedia for photos) WeChat asks the
// mini-program, through wx.onNeedPrivacyAuthorization, to explain and get the
// user's consent; the consent itself can only come from a tap on
// <button open-type="agreePrivacyAuthorization">. app.js calls install(); the
// <privacy-popup> component on the page being shown listens and shows the
// explanation with that button. On a page without the popup, a plain modal
// says why the action cannot go on, and the request is answered "disagree".

const EXPLAIN_TITLE = '需要您同意隐私保护指引'
const EXPLAIN =
  '添加照片要用到手机的相机和相册。按照微信的规定，需要您先阅读并同意《邻里隐私保护指引》。我们只用照片说明您反映的问题，不做别的用途。'
const NO_POPUP =
  '这个操作要用到相机或相册，需要您先同意隐私保护指引。请回到“报事”页面添加照片，在弹出的说明里点“同意”。'
const REFUSED =
  '您没有同意隐私保护指引，所以暂时不能使用相机和相册。需要时再点一次“添加照片”，在弹出的说明里点“同意”就可以了。'

// The same for the roster spreadsheet picked from a chat (wx.chooseMessageFile,
// 导入房屋名册): a file, not the camera or the album.
const EXPLAIN_FILE =
  '选择名册文件要读取您在微信聊天里选中的文件。按照微信的规定，需要您先阅读并同意《邻里隐私保护指引》。我们只用这个文件导入小区的房屋名册，不做别的用途。'
const REFUSED_FILE =
  '您没有同意隐私保护指引，所以暂时不能从聊天里选择文件。需要时再点一次“选择文件”，在弹出的说明里点“同意”就可以了。'

// The explanation for the API WeChat asks about (eventInfo.referrer).
const explainFor = (referrer) => (referrer === 'chooseMessageFile' ? EXPLAIN_FILE : EXPLAIN)

let pending = null
// Requests refused for the user, not by them (the popup left while asking, or
// a newer request came): the privacy failure each one brings says nothing.
let abandoned = 0
const listeners = []

// The pending request answered (agree needs the button's id): WeChat then
// goes on with the API call, or fails it with a privacy error.
function answer(agreed, buttonId) {
  const resolve = pending
  pending = null
  if (!resolve) return
  resolve(agreed ? { buttonId, event: 'agree' } : { event: 'disagree' })
}

// The open request refused without the user saying so: WeChat waits until
// it is answered, and would otherwise hand a later request's refusal to it.
function abandon() {
  if (!pending) return
  abandoned += 1
  answer(false)
}

// Whether a privacy failure belongs to an abandoned request (once each).
function takeAbandoned() {
  if (!abandoned) return false
  abandoned -= 1
  return true
}

function onNeed(resolve, eventInfo) {
  // A second request while one is open: the first one is given up.
  if (pending) abandon()
  pending = resolve
  const listener = listeners[listeners.length - 1]
  if (listener) {
    listener(eventInfo || {})
    return
  }
  answer(false)
  wx.showModal({ title: EXPLAIN_TITLE, content: NO_POPUP, showCancel: false, confirmText: '知道了' })
}

// The popup on the page being shown; returns the function that stops listening.
function listen(listener) {
  listeners.push(listener)
  return () => {
    const at = listeners.indexOf(listener)
    if (at >= 0) listeners.splice(at, 1)
  }
}

// Once, from app.js. Older WeChat versions have no privacy API: nothing to do.
function install() {
  if (typeof wx.onNeedPrivacyAuthorization === 'function') wx.onNeedPrivacyAuthorization(onNeed)
}

function openContract() {
  if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({ fail: () => null })
}

// Whether a failed API call failed for want of consent (errno 104: not
// agreed; 112: not declared in the guide).
function isPrivacyRefusal(res) {
  const errno = res && res.errno
  return errno === 104 || errno === 112 || /privacy/i.test((res && res.errMsg) || '')
}

module.exports = {
  EXPLAIN_TITLE,
  EXPLAIN,
  REFUSED,
  EXPLAIN_FILE,
  REFUSED_FILE,
  explainFor,
  install,
  listen,
  answer,
  abandon,
  takeAbandoned,
  openContract,
  isPrivacyRefusal,
}
