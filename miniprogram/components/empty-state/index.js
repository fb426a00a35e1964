// <empty-state text="还没有消息" hint="…" action-text="我要报事" bind:action="goReport" />:
// what a page shows when there is nothing yet: a plain sentence, an optional
// one-line explanation and an optional full-size button for the next step.
Component({
  properties: {
    text: { type: String, value: '这里还没有内容' },
    hint: { type: String, value: '' },
    actionText: { type: String, value: '' },
  },
  methods: {
    onAction() {
      this.triggerEvent('action')
    },
  },
})
