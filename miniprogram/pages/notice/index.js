// One announcement (公告): its text and photos (tap one to enlarge); opening
// it marks it read. Under an urgent one, a unit liaison (or the committee)
// sees 未读住户: which households have not opened it, and where nobody uses
// the mini-program at all, so they can knock on those doors. The committee can
// withdraw it (asked first).
const { ensureLogin } = require('../../api/auth')
const { getMe } = require('../../api/me')
const { getAnnouncement, unreadHouseholds, withdrawAnnouncement } = require('../../api/board')
const { photoFile } = require('../../api/uploads')
const { noticeView, unreadView } = require('../../utils/board')
const { roleCompounds } = require('../../utils/user')
const { errorMessage } = require('../../utils/errors')
const { confirmOnce, showModal } = require('../../utils/ui')
const { loadable } = require('../../utils/page')

const UNREAD_ROLES = ['liaison', 'committee']

Page(
  loadable({
    data: {
      id: 0,
      notice: null,
      photoList: [],
      // 未读住户 (liaisons, committee; urgent notices): null hides it.
      unread: null,
      unreadError: '',
      canWithdraw: false,
      withdrawing: false,
    },

    onLoad(options) {
      this.photoPaths = {}
      this.setData({ id: Number((options && options.id) || 0) })
      return this.load()
    },

    async fetch() {
      await ensureLogin()
      const [item, user] = await Promise.all([getAnnouncement(this.data.id), getMe()])
      const notice = noticeView(item)
      const roles = roleCompounds(user, UNREAD_ROLES)
      const patch = {
        notice,
        photoList: notice.photos.map((id) => ({ id, path: this.photoPaths[id] || '' })),
        canWithdraw: (item.actions || []).includes('withdraw'),
      }
      if (notice.urgent && !notice.withdrawn && roles.length) {
        Object.assign(patch, await this.unreadPatch())
      }
      return patch
    },

    onLoaded() {
      return this.downloadPhotos()
    },

    // 403/404: not mine to see; the section stays hidden. Else said in its place.
    async unreadPatch() {
      try {
        return { unread: unreadView(await unreadHouseholds(this.data.id)), unreadError: '' }
      } catch (err) {
        if (err.status === 403 || err.status === 404) return { unread: null, unreadError: '' }
        return { unread: null, unreadError: errorMessage(err) }
      }
    },

    async downloadPhotos() {
      for (const { id } of this.data.photoList) {
        if (this.photoPaths[id]) continue
        try {
          this.photoPaths[id] = await photoFile(id)
        } catch (err) {
          this.photoPaths[id] = ''
        }
        this.setData({
          photoList: this.data.photoList.map((p) => ({ id: p.id, path: this.photoPaths[p.id] || '' })),
        })
      }
    },

    previewPhoto(e) {
      const urls = this.data.photoList.map((p) => p.path).filter(Boolean)
      const current = e.currentTarget.dataset.path
      if (current) wx.previewImage({ urls, current })
    },

    async withdraw() {
      if (!this.data.canWithdraw || this.data.withdrawing) return
      const sure = await confirmOnce(this, '撤回公告', '撤回后居民就看不到这条公告了，不能恢复。', {
        confirmText: '撤回',
        cancelText: '不撤回',
      })
      if (!sure) return
      this.setData({ withdrawing: true })
      try {
        await withdrawAnnouncement(this.data.id)
      } catch (err) {
        this.setData({ withdrawing: false })
        await showModal({ title: '未能撤回', content: errorMessage(err), showCancel: false, confirmText: '知道了' })
        return
      }
      this.setData({ withdrawing: false })
      wx.showToast({ title: '已撤回', icon: 'success' })
      wx.navigateBack()
    },
  })
)
