"""Where things live: the repo (solutions/, lessons/) and the instructor's nbgrader course folder.

nbgrader wants `source/<assignment>/<notebook>.ipynb`; the repo keeps flat `solutions/<lesson>.ipynb`.
Each lesson is one nbgrader assignment holding one notebook of the same name. The course folder
(gradebook, submissions, feedback, reports) is the instructor's data and stays out of git.

Any other nbgrader course folder works too ("a folder course": no repo, `source/` is the truth): its
assignments are the folders of `source/`, each with one or more notebooks and any other files.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError

REPO_ROOT = Path(__file__).resolve().parents[2]
COURSE_ID = "nn-training"


def ensure_tools_on_path() -> None:
    """nbgrader shells out to `alembic`, which lives beside this interpreter."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


SYNC_MARKER = ".grader-from-repo"
_CONFIGS: dict = {}  # a course folder whose source/ is copied from a repo's solutions/


@dataclass(frozen=True)
class Course:
    repo: Path | None  # None: a folder course, whose source/ is the truth
    course_dir: Path
    db_url: str = ""  # the gradebook's SQLAlchemy URL; empty: SQLite in the course folder

    @classmethod
    def at(cls, repo: Path | str | None = None, course_dir: Path | str | None = None, db_url: str = "") -> "Course":
        if repo is None and course_dir is not None:
            folder = Path(course_dir).resolve()
            # A course folder of its own: source/ holds assignments that are not this repository's lessons.
            own = {p.stem for p in (REPO_ROOT / "solutions").glob("*.ipynb")}
            assignments = {p.name for p in (folder / "source").iterdir() if p.is_dir()} if (folder / "source").is_dir() else set()
            if assignments and not (folder / SYNC_MARKER).exists() and not assignments <= own:
                return cls(None, folder, db_url or "")
        repo = Path(repo).resolve() if repo else REPO_ROOT
        if not (repo / "solutions").is_dir():
            raise GraderError(f"no solutions/ folder in {repo}: point --repo at the course repository, or "
                              "--course-dir at an nbgrader course folder with a source/ folder")
        course_dir = Path(course_dir).resolve() if course_dir else repo / "course"
        return cls(repo, course_dir, db_url or "")

    @property
    def is_folder_course(self) -> bool:
        return self.repo is None

    # --- the repo -----------------------------------------------------------------------------
    @property
    def solutions_dir(self) -> Path:
        return self.repo / "solutions"

    @property
    def lessons_dir(self) -> Path:
        return self.repo / "lessons"

    def lesson_names(self) -> list[str]:
        if self.is_folder_course:
            return sorted(p.name for p in (self.course_dir / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
        return sorted(p.stem for p in self.solutions_dir.glob("*.ipynb"))

    def notebooks(self, lesson: str) -> list[str]:
        """The notebooks of one assignment (a lesson of this repo has exactly one, named like it)."""
        if self.is_folder_course:
            return sorted(p.stem for p in (self.course_dir / "source" / lesson).glob("*.ipynb"))
        return [lesson]

    def resolve_lessons(self, names=None) -> list[str]:
        """The lessons asked for (all when none), refusing unknown names with the list of known ones."""
        known = self.lesson_names()
        if not known:
            where = self.course_dir / "source" if self.is_folder_course else self.solutions_dir
            raise GraderError(f"no lessons found: {where} has no .ipynb files")
        if not names:
            return known
        unknown = [n for n in names if n not in known]
        if unknown:
            raise GraderError(f"unknown lesson {', '.join(map(repr, unknown))}; known lessons: {', '.join(known)}")
        return list(names)

    # --- the nbgrader course folder -----------------------------------------------------------
    def source_notebook(self, lesson: str, notebook: str | None = None) -> Path:
        return self.course_dir / "source" / lesson / f"{notebook or lesson}.ipynb"

    def release_notebook(self, lesson: str, notebook: str | None = None) -> Path:
        return self.course_dir / "release" / lesson / f"{notebook or lesson}.ipynb"

    def submitted_notebook(self, student: str, lesson: str, notebook: str | None = None) -> Path:
        return self.course_dir / "submitted" / student / lesson / f"{notebook or lesson}.ipynb"

    def autograded_notebook(self, student: str, lesson: str, notebook: str | None = None) -> Path:
        return self.course_dir / "autograded" / student / lesson / f"{notebook or lesson}.ipynb"

    def feedback_html(self, student: str, lesson: str, notebook: str | None = None) -> Path:
        return self.course_dir / "feedback" / student / lesson / f"{notebook or lesson}.html"

    def config(self):
        """The course folder's course.toml (grader.course.config), read once per process and version of the
        file and of the students it may name (submitted/, the collect manifest)."""
        from grader.course.config import load
        from grader.course.students import MANIFEST, KnownStudents

        def version(path: Path):
            return path.stat().st_mtime_ns if path.exists() else None

        path = self.course_dir / "course.toml"
        key = (str(path), version(path), version(self.course_dir / "submitted"), version(self.course_dir / MANIFEST))
        cached = _CONFIGS.get(key)
        if cached is None:
            cached = _CONFIGS[key] = load(self.course_dir, self.lesson_names(), KnownStudents.of(self.course_dir))
        return cached

    def require_folder(self, why: str) -> None:
        """Refuse a command that reads the course folder when there is none (a mistyped --course-dir must
        not become a new folder)."""
        if not self.course_dir.is_dir():
            raise GraderError(f"no course folder {self.course_dir}: {why}")

    @property
    def reports_dir(self) -> Path:
        return self.course_dir / "reports"

    @property
    def gradebook_url(self) -> str:
        return self.db_url or f"sqlite:///{self.course_dir / 'gradebook.db'}"

    def students(self) -> list[str]:
        submitted = self.course_dir / "submitted"
        return sorted(p.name for p in submitted.iterdir() if p.is_dir()) if submitted.is_dir() else []

    def sync_sources(self, lessons) -> None:
        """Copy solutions/<lesson>.ipynb into nbgrader's source/ layout (a folder course's source/ is left alone)."""
        if self.is_folder_course:
            return
        self.course_dir.mkdir(parents=True, exist_ok=True)
        (self.course_dir / SYNC_MARKER).write_text("source/ is copied from the repository's solutions/\n")
        for lesson in lessons:
            target = self.source_notebook(lesson)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.solutions_dir / f"{lesson}.ipynb", target)
