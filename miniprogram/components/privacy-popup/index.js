// <privacy-popup />: put it on every page that uses the camera, the album or a
// file from a chat.
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
      this.readingContract = false
      this.stop()
    },
  },

  pageLifetimes: {
    show() {
      this.readingContract = false
      this.start()
    },
    hide() {
      this.stop()
    },
  },

  methods: {
    start() {
      if (!this.unlisten) {
        // Worded for what WeChat asks about: the camera and album, or a file.
        this.unlisten = privacy.listen((info) => this.setData({ show: true, text: privacy.explainFor(info && info.referrer) }))
      }
    },

    // Left while asking (its page hidden or closed): the request is answered
    // 不同意 for the user, quietly; WeChat would otherwise keep it waiting.
    // Reading the guide (WeChat's own page above) is not leaving.
    stop() {
      if (this.unlisten) this.unlisten()
      this.unlisten = null
      if (this.data.show && !this.readingContract) {
        this.setData({ show: false })
        privacy.abandon()
      }
    },

    openContract() {
      this.readingContract = true
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
