"""The demo walked through in a real headless Chromium, as a person would, with screenshots.

A liaison reports, the leader returns it with a comment, the liaison revises, the leader
approves; another department never reports; the clock moves to working days 4 and 6 and the
offices see the late and missing escalations, and 统计 agrees. Screenshots of each step go to
artifacts/screenshots/ (kept out of git).
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from bot.clock import clock, local_moment
from bot.demo.web import create_demo_app
from bot.demo.world import build_world
from bot.sandbox.server import BackgroundServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TEXT = "本月召开了学校思想政治工作会议筹备会，起草了会议方案和主报告，征求意见23条。"
REVISED = TEXT + "会议定于12月中旬召开，已确定参会范围。"
REASONS = "会议议程调整，需待上级精神传达后召开。"


@pytest.fixture
def demo(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); not run")
    sync_api = pytest.importorskip("playwright.sync_api")
    world = build_world(tmp_path / "demo", keep=False, start=local_moment(date(2026, 11, 30), 16))
    server = BackgroundServer(create_demo_app(world))
    url = server.start()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1366, "height": 820})
        page.goto(url)
        demo_page = DemoPage(page)
        demo_page.world = world
        yield demo_page
        browser.close()
    server.stop()
    world.stop()
    clock.set(None)


class DemoPage:
    def __init__(self, page) -> None:
        self.page = page
        self.step = 0
        self.world = None

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(SHOTS / f"{self.step:02d}-{name}.png"))

    def be(self, userid: str) -> None:
        self.page.click(f'.person[data-userid="{userid}"]')
        self.page.wait_for_selector("#chat-name:not(:empty)")

    def bot_texts(self) -> list[str]:
        return self.page.locator(".msg.bot .bubble").all_inner_texts()

    def send(self, text: str) -> str:
        """Type a message and wait for the bot's next answer; returns it."""
        before = len(self.bot_texts())
        self.page.fill("#input", text)
        self.page.press("#input", "Enter")
        self.page.wait_for_function(
            "n => document.querySelectorAll('.msg.bot').length > n", arg=before, timeout=20000
        )
        self.page.wait_for_timeout(1200)  # the bot may send more than one message
        return "\n".join(self.bot_texts()[before:])

    def wait_for_text(self, pattern: str, timeout: int = 20000) -> None:
        self.page.wait_for_function(
            "p => [...document.querySelectorAll('.msg.bot')].some(m => m.innerText.includes(p))",
            arg=pattern,
            timeout=timeout,
        )

    def click_card(self, button: str) -> None:
        self.page.locator(".card .buttons button", has_text=button).last.click()

    def move_to_window_day(self, number: int) -> None:
        self.page.select_option("#clock-wd", str(number))
        self.page.click("#clock-wd-go")
        self.page.wait_for_function(
            "n => document.querySelector('#clock-status').innerText.includes(n)",
            arg="第" + str(number) + "个工作日" if number <= 5 else "已结束",
            timeout=30000,
        )


def fill_report(demo: DemoPage, first_answer: str) -> str:
    """Answer the report conversation's prompts until it says the report was submitted."""
    reply = demo.send(first_answer)
    for _ in range(8):
        last = reply.strip().splitlines()[-1] if reply.strip() else ""
        if "已提交" in reply:
            return reply
        if "确认提交" in reply or "在原内容基础上修改" in reply or "继续上次草稿" in reply:
            reply = demo.send("1")
        elif "要修改" in reply and "序号" in reply:
            reply = demo.send(_number_of(reply, "工作进展情况"))
        elif "未完成的主要原因" in last:
            reply = demo.send(REASONS)
        elif "工作进展情况" in reply:
            reply = demo.send(REVISED if "原来的内容" in reply else TEXT)
        else:
            raise AssertionError(f"unexpected prompt: {reply}")
    raise AssertionError("the report conversation did not finish")


def _number_of(listing: str, words: str) -> str:
    for line in listing.splitlines():
        match = re.match(r"\s*(\d+)[.、\s]", line)
        if match and words in line:
            return match.group(1)
    raise AssertionError(f"no line with {words!r} in: {listing}")


def test_a_whole_reporting_month_in_the_browser(demo: DemoPage) -> None:
    demo.shot("start")
    assert "2026年11月30日" in demo.page.inner_text("#clock-now")

    # The liaison of 宣传部 reports on task 9(2).
    demo.be("gaoxiang")
    listing = demo.send("汇报")
    demo.shot("liaison-list")
    fill_report(demo, _number_of(listing, "召开学校思想政治工作会议"))
    demo.shot("liaison-submitted")

    # The supervising leader returns it with a comment, on the card.
    demo.be("zhangxiaofeng")
    demo.page.wait_for_selector(".card .buttons button")
    demo.shot("leader-card")
    demo.click_card("退回")
    demo.wait_for_text("退回意见")
    demo.send("请补充会议筹备的时间安排。")
    demo.page.wait_for_selector(".card .done:has-text('已退回')")
    demo.shot("leader-returned")

    # The liaison sees the comment and revises.
    demo.be("gaoxiang")
    demo.wait_for_text("请补充会议筹备的时间安排")
    returned = demo.bot_texts()[-1]
    command = re.search(r"修改 ?\d*", returned)
    fill_report(demo, command.group(0) if command else "汇报")
    demo.shot("liaison-revised")

    # The leader approves the new card.
    demo.be("zhangxiaofeng")
    demo.page.wait_for_selector(".card .buttons button:has-text('通过')")
    demo.click_card("通过")
    demo.page.wait_for_selector(".card .done:has-text('已通过')")
    demo.shot("leader-approved")

    # Working day 4: the offices hear who is late so far; 党委组织部 never reports.
    demo.move_to_window_day(4)
    demo.be("lina")
    demo.wait_for_text("【督查督办·逾期提醒】")
    demo.shot("office-wd4")
    texts = "\n".join(demo.bot_texts())
    assert "党委组织部" in texts

    # After working day 5: 未上报, and 统计 agrees.
    demo.move_to_window_day(6)
    demo.wait_for_text("【督查督办·未上报通报】")
    demo.shot("office-wd6")
    bulletin = demo.bot_texts()[-1]
    counted = re.search(r"按时上报 (\d+) 份，逾期上报 (\d+) 份，未上报 (\d+) 份", bulletin)
    assert counted is not None, bulletin
    on_time, late, missing = (int(n) for n in counted.groups())
    assert (on_time, late) == (1, 0) and missing > 0

    statistics = demo.send("统计")
    demo.shot("office-statistics")
    assert "党委组织部（应报3项）：未上报3项" in statistics.replace(" ", "")
    assert "宣传部（应报3项）：按时上报1项，未上报2项" in statistics.replace(" ", "")
    assert re.search(rf"未上报\D{{0,3}}{missing}", statistics), statistics


def test_markdown_is_rendered_as_wecom_renders_it(demo: DemoPage) -> None:
    # The app sends markdown through the sandbox's message API, as it would to WeCom.
    demo.world.runtime.client.send_markdown(
        ["lina"],
        '### 本周提醒\n**3** 个部门未报送\n> 请于<font color="warning">12月3日</font>前完成\n'
        "[查看说明](https://example.invalid/guide)",
    )
    demo.be("lina")
    demo.page.wait_for_selector(".md h3")
    bubble = demo.page.locator(".md").last
    assert bubble.locator("h3").inner_text() == "本周提醒"
    assert bubble.locator("b").inner_text() == "3"
    assert bubble.locator("blockquote .warning").inner_text() == "12月3日"
    assert bubble.locator("a").get_attribute("href") == "https://example.invalid/guide"
    demo.step = 90  # after the walk-through's numbered steps
    demo.shot("markdown")
