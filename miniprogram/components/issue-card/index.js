// <issue-card item="{{view}}" />: one issue in a list (a view from
// utils/issues.js issueItemView). The page wraps it to handle the tap.
Component({
  properties: {
    item: { type: Object, value: {} },
  },
})
