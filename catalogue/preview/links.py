"""Path resolution inside HDF5 files, one link at a time, under the preview's file policy.

h5grove resolves a path by handing it to h5py in one piece (``h5file[path]``): the HDF5
library then follows every soft and external link on the way, opening whatever file an
external link names, and reads virtual dataset sources and external raw-data files wherever
they are. That is how h5grove's reference servers leak files of other (embargoed) datasets.

Here the library is only ever asked for *one link name in one group* (``H5Lexists``,
``H5Lget_info``, ``H5Lget_val`` and ``H5Oopen`` of a hard link, none of which traverses a
link). Soft links are followed by us, external links only into files that
:class:`catalogue.preview.files.DatasetFiles` allows (same dataset, registered, inside its
folder, HDF5), and a dataset is handed out only when every file its storage reaches (virtual
dataset sources, recursively, and external raw-data files) is allowed too. Anything else is
reported unresolved, the way h5grove reports a dangling link, and is never opened.

The results are h5grove's own content classes, so h5grove builds every response.
"""

import os
from dataclasses import dataclass
from os.path import basename

import h5py
from h5grove.content import (
    DatasetContent,
    DatatypeContent,
    EntityContent,
    ExternalLinkContent,
    GroupContent,
    SoftLinkContent,
)
from h5grove.models import LinkResolution
from h5grove.utils import LinkError, PathError, hdf_path_join

from catalogue.preview.files import (
    DatasetFiles,
    FileRefused,
    NotHDF5,
    OpenFile,
    hdf5_prefix_variables_set,
)

# H5Pset_nlinks: HDF5 stops following soft/external links after 16 hops by default; so do we.
MAX_LINK_HOPS = 16
# Virtual datasets may take sources from virtual datasets; follow that chain this deep at most.
MAX_VDS_DEPTH = 4

Link = h5py.SoftLink | h5py.ExternalLink
# Remembered for a path that is not hard links of the root file only (Resolver.content).
_BY_POLICY = object()
H5Object = h5py.Group | h5py.Dataset | h5py.Datatype


@dataclass(frozen=True)
class Node:
    """An HDF5 object reached by the resolver, and the open file it lives in."""

    obj: H5Object
    file: OpenFile


class Dangling(Exception):
    """A link that cannot, or may not, be followed (internal to this module)."""

    def __init__(self, link: Link):
        super().__init__(str(link))
        self.link = link


def link_of(group: h5py.Group, name: str) -> h5py.HardLink | Link | None:
    """The link called ``name`` in ``group``, without following it (low-level H5L calls).

    h5py's ``name in group`` and ``group.get(name, getlink=True)`` may check that the target
    exists, which opens the file of an external link; H5Lexists/H5Lget_info/H5Lget_val do not.
    """
    raw = name.encode("utf-8", "surrogateescape")
    links = group.id.links
    if not links.exists(raw):
        return None
    kind = links.get_info(raw).type
    if kind == h5py.h5l.TYPE_HARD:
        return h5py.HardLink()
    if kind == h5py.h5l.TYPE_SOFT:
        return h5py.SoftLink(links.get_val(raw).decode("utf-8", "surrogateescape"))
    if kind == h5py.h5l.TYPE_EXTERNAL:
        filename, path = links.get_val(raw)
        return h5py.ExternalLink(os.fsdecode(filename), path.decode("utf-8", "surrogateescape"))
    return None  # user-defined link classes: nothing we can show


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


class PolicyGroupContent(GroupContent):
    """h5grove's GroupContent whose children are resolved by our resolver.

    h5grove builds a group's children with ``create_content(h5file, child_path)``, which lets
    HDF5 follow external links; this override is the one place the policy replaces it. It
    also resolves children in the file the group really lives in (which differs from the
    requested file after an external link).
    """

    def __init__(self, path: str, node: Node, resolver: "Resolver"):
        super().__init__(path, node.obj, node.file.h5)
        self._node = node
        self._resolver = resolver

    def _get_child_metadata_content(self, depth=0):
        return [
            self._resolver.entry(
                self._node, name, hdf_path_join(self._path, name), LinkResolution.ONLY_VALID
            ).metadata(depth)
            for name in self._h5py_entity
        ]


class Resolver:
    """Resolves entity paths of one root file of a dataset, under the file policy."""

    def __init__(self, *, files: DatasetFiles, root: OpenFile):
        self.files = files
        self.root = Node(root.handle.object_at((), lambda: root.h5["/"]), root)

    # ------------------------------------------------------------------ public
    def content(
        self, path: str | None, resolve_links: LinkResolution = LinkResolution.ONLY_VALID
    ) -> EntityContent:
        """h5grove content for ``path`` (like h5grove's ``create_content``, safely)."""
        path = path or "/"
        parts = tuple(_parts(path))
        obj = self._through_hard_links(parts)
        if obj is not _BY_POLICY:
            return self.make_content(path, Node(obj, self.root.file))
        return self.content_below(self.root, "/", path, resolve_links, whole_path=path)

    def _through_hard_links(self, parts: tuple[str, ...]) -> object:
        """The object ``parts`` names when every step is a hard link of the root file and it
        is a group, a named datatype or a dataset stored in this file alone; else _BY_POLICY.

        Such a path means the same object for as long as the file is the same (the handle's
        key), whoever asks: it is looked up once per open file and remembered on its handle.
        Anything else (soft and external links, virtual datasets, external raw data, missing
        names) goes through the policy's resolution on every request; that it does is
        remembered too.
        """
        return self.root.file.handle.object_at(parts, lambda: self._walk_hard_links(parts))

    def _walk_hard_links(self, parts: tuple[str, ...]) -> object:
        obj = self.root.obj
        for name in parts:
            if not isinstance(obj, h5py.Group) or not isinstance(link_of(obj, name), h5py.HardLink):
                return _BY_POLICY
            obj = obj[name]  # H5Oopen of a hard link: nothing is traversed
        if isinstance(obj, h5py.Dataset) and (obj.is_virtual or obj.external):
            return _BY_POLICY
        return obj

    def content_below(
        self,
        start: Node,
        start_path: str,
        relative: str,
        resolve_links: LinkResolution,
        *,
        whole_path: str,
    ) -> EntityContent:
        parts = _parts(relative)
        if not parts:
            return self.make_content(whole_path, start)
        node = start
        for name in parts[:-1]:
            try:
                node = self._step(node, name, hops=0)
            except Dangling:
                node = None
            if node is None or not isinstance(node.obj, h5py.Group):
                raise PathError(f"{whole_path} is not a valid path in {self._filename}")
        return self.entry(node, parts[-1], whole_path, resolve_links)

    def entry(
        self, parent: Node, name: str, path: str, resolve_links: LinkResolution
    ) -> EntityContent:
        """Content of the link ``name`` of group ``parent``, shown at ``path``."""
        if not isinstance(parent.obj, h5py.Group):
            raise PathError(f"{path} is not a valid path in {self._filename}")
        link = link_of(parent.obj, name)
        if link is None:
            raise PathError(f"{path} is not a valid path in {self._filename}")
        if isinstance(link, h5py.HardLink):
            try:
                return self.make_content(path, self._hard(parent, name))
            except Dangling as refused:
                # A dataset whose storage reaches files we may not read: always unresolved.
                return self._unresolved(path, refused.link, resolve_links)
        if resolve_links == LinkResolution.NONE:
            return self._link_content(path, link)
        try:
            target = self._follow(parent, link, hops=1)
        except Dangling:
            return self._unresolved(path, link, resolve_links)
        return self.make_content(path, target)

    def make_content(self, path: str, node: Node) -> EntityContent:
        obj = node.obj
        if isinstance(obj, h5py.Dataset):
            return DatasetContent(path, obj)
        if isinstance(obj, h5py.Group):
            return PolicyGroupContent(path, node, self)
        if isinstance(obj, h5py.Datatype):
            return DatatypeContent(path, obj)
        raise TypeError(f"h5py entity {type(obj)} not supported")

    def node_of(self, content: EntityContent) -> Node:
        """The node behind a group content made by this resolver."""
        return content._node  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ steps
    @property
    def _filename(self) -> str:
        return basename(self.root.file.relative)

    def _unresolved(self, path: str, link: Link, resolve_links: LinkResolution) -> EntityContent:
        if resolve_links == LinkResolution.ALL:
            raise LinkError(f"Cannot resolve {link} at {path} of {self._filename}")
        return self._link_content(path, link)

    @staticmethod
    def _link_content(path: str, link: Link) -> EntityContent:
        if isinstance(link, h5py.ExternalLink):
            return ExternalLinkContent(path, link)
        return SoftLinkContent(path, link)

    def _step(self, node: Node, name: str, *, hops: int) -> Node:
        """Follow the link ``name`` of ``node`` all the way, or raise Dangling/None."""
        if not isinstance(node.obj, h5py.Group):
            raise Dangling(h5py.SoftLink(name))
        link = link_of(node.obj, name)
        if link is None:
            raise Dangling(h5py.SoftLink(name))
        if isinstance(link, h5py.HardLink):
            return self._hard(node, name)
        return self._follow(node, link, hops=hops + 1)

    def _follow(self, node: Node, link: Link, *, hops: int) -> Node:
        """The object a soft or external link leads to, under the policy, or Dangling."""
        if hops > MAX_LINK_HOPS:
            raise Dangling(link)
        if isinstance(link, h5py.SoftLink):
            # A soft link's path is absolute in its file, or relative to the link's group.
            start = Node(node.file.h5["/"], node.file) if link.path.startswith("/") else node
        else:
            relative = self.files.referenced_file(base=node.file, name=link.filename)
            if relative is None:
                raise Dangling(link)
            try:
                target = self.files.open(relative)
            except (FileRefused, NotHDF5):
                raise Dangling(link) from None
            start = Node(target.h5["/"], target)  # external link paths are absolute
        current = start
        try:
            for name in _parts(link.path):
                current = self._step(current, name, hops=hops)
        except Dangling:
            raise Dangling(link) from None
        return current

    def _hard(self, parent: Node, name: str) -> Node:
        """The object behind a hard link; datasets only when their storage is allowed."""
        obj = parent.obj[name]  # H5Oopen of a hard link: nothing is traversed
        if isinstance(obj, h5py.Dataset) and (obj.is_virtual or obj.external):
            refused = self._storage_refusal(obj, parent.file, depth=0)
            if refused is not None:
                raise Dangling(refused)
        return Node(obj, parent.file)

    # ------------------------------------------------------------------ storage
    def _storage_refusal(
        self, dataset: h5py.Dataset, file: OpenFile, *, depth: int
    ) -> h5py.ExternalLink | None:
        """None when every file the dataset's storage reads is allowed; else a pseudo-link.

        The pseudo-link names the first refused file, so the dataset is reported like an
        unresolved external link.
        """
        if hdf5_prefix_variables_set() or depth > MAX_VDS_DEPTH:
            # HDF5 would look for sources where we did not check.
            return h5py.ExternalLink("", dataset.name or "")
        for name, _offset, _size in dataset.external or ():
            name = os.fsdecode(name)
            # Without H5Pset_efile_prefix HDF5 opens a relative external raw-data file name
            # in the process's working directory: check the very file it would open.
            if self.files.referenced_file(base=file, name=name, folder=os.getcwd()) is None:
                return h5py.ExternalLink(name, "")
        if not dataset.is_virtual:
            return None
        for source in dataset.virtual_sources():
            file_name, dset_name = source.file_name, source.dset_name
            # "." is HDF5's name for the virtual dataset's own file.
            shown = basename(file.relative) if file_name == "." else file_name
            refused = h5py.ExternalLink(shown, dset_name)
            # printf-style names (%b) map to many files: we cannot check them all beforehand.
            if "%" in file_name or "%" in dset_name:
                return refused
            if file_name == ".":
                source_file = file
            else:
                relative = self.files.referenced_file(base=file, name=file_name)
                if relative is None:
                    return refused
                try:
                    source_file = self.files.open(relative)
                except (FileRefused, NotHDF5):
                    return refused
            # HDF5 looks for a relative source name in the virtual dataset's folder (there is
            # no HDF5_VDS_PREFIX, checked above, nor H5Pset_virtual_prefix), where we checked.
            # HDF5 opens the source dataset by its path itself: accept only paths of hard links,
            # which it cannot resolve any differently than we do.
            obj = source_file.h5["/"]
            for part in _parts(dset_name):
                if not isinstance(obj, h5py.Group) or not isinstance(
                    link_of(obj, part), h5py.HardLink
                ):
                    return refused
                obj = obj[part]
            if not isinstance(obj, h5py.Dataset):
                return refused
            if obj.is_virtual or obj.external:
                inner = self._storage_refusal(obj, source_file, depth=depth + 1)
                if inner is not None:
                    return inner
        return None
