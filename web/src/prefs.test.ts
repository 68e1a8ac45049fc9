// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS, deleteView, loadColumns, loadViews, saveColumns, saveView } from './prefs';

beforeEach(() => localStorage.clear());

describe('saved views', () => {
  it('saves, replaces by name, sorts and deletes', () => {
    expect(loadViews()).toEqual([]);
    saveView({ name: 'Hot', search: 'score_min=70' });
    saveView({ name: 'Fresh', search: 'status=new' });
    expect(saveView({ name: 'Hot', search: 'score_min=80' })).toEqual([
      { name: 'Fresh', search: 'status=new' },
      { name: 'Hot', search: 'score_min=80' },
    ]);
    expect(deleteView('Fresh')).toEqual([{ name: 'Hot', search: 'score_min=80' }]);
    expect(loadViews()).toEqual([{ name: 'Hot', search: 'score_min=80' }]);
  });

  it('survives garbage in storage', () => {
    localStorage.setItem('leadline.views', '{oops');
    expect(loadViews()).toEqual([]);
    localStorage.setItem('leadline.views', JSON.stringify([{ name: 1 }, { name: 'ok', search: '' }]));
    expect(loadViews()).toEqual([{ name: 'ok', search: '' }]);
  });
});

describe('columns', () => {
  it('defaults, saves and drops unknown columns', () => {
    expect(loadColumns()).toEqual(DEFAULT_COLUMNS);
    saveColumns(['email', 'status']);
    expect(loadColumns()).toEqual(['email', 'status']);
    localStorage.setItem('leadline.columns', JSON.stringify(['email', 'nope']));
    expect(loadColumns()).toEqual(['email']);
  });
});
