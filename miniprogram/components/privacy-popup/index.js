// <privacy-popup />: put it on every page that uses the camera or the album.
// When WeChat asks for privacy consent (utils/privacy.js), it explains in plain
// words and offers 同意 (WeChat's agreePrivacyAuthorization button), 不同意 and
// the guide itself. It listens only while its page is shown.
const privacy = require('../../utils/privacy')

Component({
  data: {
    show: false,
    title: privacy.EXPLAIN_TITLE,
    text: privacy.EXPLAIN,
  },

  lifetimes: {
    attached() {
      this.start()
    },
    detached() {
      this.stop()
    },
  },

  pageLifetimes: {
    show() {
      this.start()
    },
    hide() {
      this.stop()
    },
  },

  methods: {
    start() {
      if (!this.unlisten) this.unlisten = privacy.listen(() => this.setData({ show: true }))
    },

    stop() {
      if (this.unlisten) this.unlisten()
      this.unlisten = null
    },

    openContract() {
      privacy.openContract()
    },

    // bindagreeprivacyauthorization: the tap WeChat counts as consent.
    onAgree() {
      this.setData({ show: false })
      privacy.answer(true, 'privacy-agree')
    },

    onDisagree() {
      this.setData({ show: false })
      privacy.answer(false)
    },

    noop() {},
  },
})
