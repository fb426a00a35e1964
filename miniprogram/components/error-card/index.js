// <error-card message="{{error}}" bind:retry="retry" />: why something did not
// load, in plain words, and a full-size 重试 button. The page's retry (from
// utils/page.js) goes back to 加载中 and loads again.
Component({
  properties: {
    message: { type: String, value: '' },
    // The button's words: 重试 unless a page needs another.
    retryText: { type: String, value: '重试' },
  },
  methods: {
    onRetry() {
      this.triggerEvent('retry')
    },
  },
})
